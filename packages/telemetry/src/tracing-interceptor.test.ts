import { createEngine } from '@canarykit/core'
import { createCanaryRouter, type RequestExtra } from '@canarykit/mcp'
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AsyncLocalStorageContextManager as AsyncContextManager } from '@opentelemetry/context-async-hooks'
import {
  connect,
  FLAG,
  rolloutDocument,
  searchServer,
  TOOL,
  type Session,
} from '../test/mcp-traffic.js'
import { tracingInterceptor } from './tracing-interceptor.js'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const tracer = provider.getTracer('test')
const sessions: Session[] = []

beforeAll(() => {
  context.setGlobalContextManager(new AsyncContextManager())
})
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()))
  exporter.reset()
})
afterAll(async () => {
  context.disable()
  await provider.shutdown()
})

/** Sessions on a search server whose implementations open a child span after an await. */
async function traced(percentage: number, sessionId: boolean, count = 1) {
  const engine = createEngine()
  engine.load(rolloutDocument(percentage))
  const { make } = searchServer(
    { evaluator: engine, interceptors: [tracingInterceptor({ tracer, sessionId })] },
    // Runs inside the implementation after an await: nesting needs the async context.
    (q) => tracer.startSpan(`db ${q}`).end(),
  )
  const opened: Session[] = []
  for (let i = 0; i < count; i++) opened.push(await connect(make, `session-${i}`))
  sessions.push(...opened)
  return opened
}

const toolSpans = (): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((s) => s.name === `tools/call ${TOOL}`)

describe('tracingInterceptor over the real router, MCP SDK and OTel trace SDK', () => {
  it('opens one span per call with the MCP and feature-flag attributes, no session id by default', async () => {
    const [session] = await traced(0, false)
    await session?.search('a')
    const [span] = toolSpans()
    expect(span?.kind).toBe(SpanKind.INTERNAL)
    expect(span?.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': TOOL,
      'gen_ai.operation.name': 'execute_tool',
      'feature_flag.key': FLAG,
      'feature_flag.result.variant': 'stable',
      'feature_flag.result.reason': 'targeting_match',
    })
    expect(span?.status.code).toBe(SpanStatusCode.UNSET)
  })

  it('adds mcp.session.id when allowed, and the reason of a pinned session', async () => {
    const [session] = await traced(0, true)
    await session?.search('a')
    await session?.search('b')
    const [first, second] = toolSpans()
    expect(first?.attributes['mcp.session.id']).toBe('session-0')
    expect(second?.attributes['feature_flag.result.reason']).toBe('sticky')
  })

  it("nests the implementation's own spans inside the call's span", async () => {
    const [session] = await traced(0, false)
    await session?.search('nested')
    const [span] = toolSpans()
    const child = exporter.getFinishedSpans().find((s) => s.name === 'db nested')
    expect(child?.parentSpanContext?.spanId).toBe(span?.spanContext().spanId)
    expect(child?.spanContext().traceId).toBe(span?.spanContext().traceId)
  })

  it('marks thrown errors and isError results, and changes nothing the client sees', async () => {
    // 100 % canary: it cycles ok, no hits, isError, throw.
    const [session] = await traced(100, false)
    const results = []
    for (let i = 0; i < 4; i++) results.push(await session?.search('x'))
    expect(results.map((r) => r?.isError === true)).toEqual([false, false, true, true])
    expect(results[3]?.content).toEqual([{ type: 'text', text: 'canary exploded' }])
    const spans = toolSpans()
    expect(spans.map((s) => s.status.code)).toEqual([
      SpanStatusCode.UNSET,
      SpanStatusCode.UNSET,
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
    ])
    expect(spans.map((s) => s.attributes['error.type'])).toEqual([
      undefined,
      undefined,
      'tool_error',
      'Error',
    ])
    expect(spans[3]?.status.message).toBe('canary exploded')
    expect(spans[3]?.events.map((e) => e.name)).toEqual(['exception'])
  })

  it('names prompt spans by the prompt', async () => {
    const router = createCanaryRouter({
      evaluator: createEngine(),
      interceptors: [tracingInterceptor({ tracer })],
    })
    const summarise = (_args: object, _extra: RequestExtra) => Promise.resolve({ messages: [] })
    const prompt = router.prompt({
      name: 'summarise',
      flag: 'prompt-v2',
      variants: { stable: summarise },
    })
    const extra = { signal: new AbortController().signal, requestId: 1 } as RequestExtra
    await prompt({}, extra)
    const [span] = exporter.getFinishedSpans()
    expect([span?.name, span?.attributes['gen_ai.prompt.name']]).toEqual([
      'prompts/get summarise',
      'summarise',
    ])
    // No variant resolved (the flag is missing): the baseline served, reason error.
    expect(span?.attributes['feature_flag.result.reason']).toBe('error')
  })

  it('passes results and errors through untouched on the no-op global tracer', async () => {
    const intercept = tracingInterceptor()
    const call = {
      method: 'tools/call',
      operation: 't',
      flagKey: 'f',
      variant: 'v',
      reason: 'STATIC',
      overridden: false,
    }
    const result = { content: [], isError: true }
    expect(await intercept(call, () => Promise.resolve(result))).toBe(result)
    const boom = new Error('boom')
    await expect(intercept(call, () => Promise.reject(boom))).rejects.toBe(boom)
    expect(trace.getActiveSpan()).toBeUndefined()
  })
})
