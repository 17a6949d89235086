import { createEngine, type Assignment, type Outcome } from '@canarykit/core'
import { McpServer, type ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  connectInMemory,
  FLAG,
  rolloutDocument,
  text,
  textOf,
  variantOf,
  type Connection,
} from '../test/harness.js'
import { createCanaryRouter, type CanaryRouterOptions } from './canary-router.js'
import type { CallInterceptor, RequestExtra, RoutedCall } from './types.js'
import { VARIANT_META_KEY } from './variant-meta.js'

const open: Connection[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()))
})

const shape = { q: z.string() }
type Search = ToolCallback<typeof shape>

/** The engine sends every session to `variant`. */
function engineServing(variant: 'stable' | 'canary') {
  const engine = createEngine()
  engine.load(rolloutDocument(FLAG, variant === 'canary' ? 100 : 0))
  return engine
}

/** Collects outcomes and assignments, with a fake clock advanced by each implementation. */
function collector() {
  const outcomes: Outcome[] = []
  const assignments: Assignment[] = []
  return {
    outcomes,
    assignments,
    sink: {
      record: (o: Outcome) => outcomes.push(o),
      assigned: (a: Assignment) => assignments.push(a),
    },
  }
}

/** A server with `search` routed between `stable` and `canary`, plus an unwrapped `plain` twin of the canary. */
async function serve(
  variants: { stable: Search; canary: Search },
  options: Partial<CanaryRouterOptions> & { success?: (r: CallToolResult) => boolean } = {},
  sessionId = 'session-1',
): Promise<Connection> {
  const { success, ...routerOptions } = options
  const router = createCanaryRouter({ evaluator: engineServing('canary'), ...routerOptions })
  const server = new McpServer({ name: 'route-test', version: '1.0.0' })
  server.registerTool(
    'search',
    { inputSchema: shape },
    router.tool({ name: 'search', flag: FLAG, variants, ...(success ? { success } : {}) }),
  )
  server.registerTool('plain', { inputSchema: shape }, variants.canary)
  const connection = await connectInMemory(server, { sessionId })
  open.push(connection)
  return connection
}

const call = (c: Connection, name = 'search', q = 'mcp') =>
  c.client.callTool({ name, arguments: { q } })

describe('outcomes and observable behaviour', () => {
  it('records one outcome per call with latency from the injected clock', async () => {
    let now = 1000
    const { outcomes, assignments, sink } = collector()
    const c = await serve(
      {
        stable: () => text('s'),
        canary: ({ q }) => {
          now += 7
          return text(`hits for ${q}`)
        },
      },
      { sinks: sink, clock: () => now, success: (r) => textOf(r).startsWith('hits') },
    )
    await call(c)
    await call(c)
    expect(outcomes).toEqual([
      {
        flagKey: FLAG,
        variant: 'canary',
        operation: 'search',
        unitKey: 'session-1',
        latencyMs: 7,
        error: false,
        success: true,
        overridden: false,
      },
      expect.objectContaining({ latencyMs: 7, success: true }),
    ])
    // Pinned once, on the first call.
    expect(assignments).toEqual([
      { flagKey: FLAG, variant: 'canary', unitKey: 'session-1', overridden: false },
    ])
  })

  it('reports a throwing implementation exactly as the SDK reports it unwrapped', async () => {
    const { outcomes, sink } = collector()
    const c = await serve(
      {
        stable: () => text('s'),
        canary: () => {
          throw new Error('index offline')
        },
      },
      { sinks: sink, success: () => true },
    )
    const routed = await call(c)
    const plain = await call(c, 'plain')
    expect(routed).toEqual(plain)
    expect(routed).toEqual({ content: [{ type: 'text', text: 'index offline' }], isError: true })
    expect(outcomes).toEqual([
      expect.objectContaining({ variant: 'canary', error: true, success: false }),
    ])
  })

  it('passes an isError result through (with the variant added) and counts it as an error', async () => {
    const { outcomes, sink } = collector()
    const failure: CallToolResult = { content: [{ type: 'text', text: 'no index' }], isError: true }
    const c = await serve({ stable: () => text('s'), canary: () => failure }, { sinks: sink })
    const routed = await call(c)
    expect(routed).toEqual({ ...failure, _meta: { [VARIANT_META_KEY]: 'canary' } })
    expect(outcomes).toEqual([expect.objectContaining({ error: true })])
  })

  it('copies the result instead of mutating it, keeping the implementation’s own _meta', async () => {
    const frozen = Object.freeze({
      content: [{ type: 'text' as const, text: 'cached' }],
      _meta: Object.freeze({ 'com.example/cache': 'hit' }),
    })
    const c = await serve({ stable: () => text('s'), canary: () => frozen })
    const routed = await call(c)
    expect(routed._meta).toEqual({ 'com.example/cache': 'hit', [VARIANT_META_KEY]: 'canary' })
    expect(frozen._meta).toEqual({ 'com.example/cache': 'hit' })
  })

  it('adds no _meta when resultMetaKey is false, and the configured key otherwise', async () => {
    const impl: Search = ({ q }) => text(q)
    const none = await serve({ stable: impl, canary: impl }, { resultMetaKey: false }, 'a')
    expect((await call(none))._meta).toBeUndefined()
    const custom = await serve(
      { stable: impl, canary: impl },
      { resultMetaKey: 'com.example/v' },
      'b',
    )
    expect((await call(custom))._meta).toEqual({ 'com.example/v': 'canary' })
  })

  it('records a canary that times out as an error when the client gives up', async () => {
    const { outcomes, sink } = collector()
    let aborted: unknown
    const c = await serve(
      {
        stable: () => text('s'),
        // Honours cancellation: rejects when the client's cancel arrives.
        canary: (_args, extra) =>
          new Promise<CallToolResult>((_resolve, reject) => {
            extra.signal.addEventListener('abort', () => {
              aborted = extra.signal.reason
              reject(new Error('cancelled'))
            })
          }),
      },
      { sinks: sink },
    )
    await expect(
      c.client.callTool({ name: 'search', arguments: { q: 'slow' } }, undefined, { timeout: 30 }),
    ).rejects.toThrow(/timed out/i)
    await until(() => outcomes.length === 1)
    expect(aborted).toBeDefined()
    expect(outcomes).toEqual([expect.objectContaining({ variant: 'canary', error: true })])
  })

  it('records a hung canary that ignores cancellation once its client has cancelled', async () => {
    const { outcomes, sink } = collector()
    let now = 0
    let calls = 0
    const c = await serve(
      {
        stable: () => text('s'),
        // The first call never settles; later ones answer.
        canary: () => (calls++ === 0 ? new Promise<CallToolResult>(() => undefined) : text('c')),
      },
      { sinks: sink, clock: () => now },
    )
    const controller = new AbortController()
    const hung = c.client.callTool({ name: 'search', arguments: { q: 'x' } }, undefined, {
      signal: controller.signal,
    })
    await until(() => calls === 1)
    controller.abort(new Error('user pressed stop'))
    await expect(hung).rejects.toThrow(/user pressed stop/)
    expect(outcomes).toEqual([])
    // The next call, a second later, finds the cancelled one and records it as an error.
    now += 1500
    await call(c)
    expect(outcomes).toEqual([
      expect.objectContaining({ variant: 'canary', error: true, latencyMs: 1500 }),
      expect.objectContaining({ variant: 'canary', error: false, latencyMs: 0 }),
    ])
  })

  it('hands McpServer’s args and extra to the implementation untouched', async () => {
    const seen: { args: unknown; extra: RequestExtra }[] = []
    const router = createCanaryRouter({ evaluator: engineServing('canary') })
    const routed = router.tool<Search>({
      flag: FLAG,
      variants: {
        stable: () => text('s'),
        canary: (args, extra) => (seen.push({ args, extra }), text('c')),
      },
    })
    const args = { q: 'same object' }
    const extra = { signal: new AbortController().signal, sessionId: 'direct' } as RequestExtra
    await routed(args, extra)
    expect(seen).toHaveLength(1)
    expect(seen[0]?.args).toBe(args)
    expect(seen[0]?.extra).toBe(extra)
  })

  it('passes the client’s cancellation through to the implementation (extra.signal)', async () => {
    let signal: AbortSignal | undefined
    const { outcomes, sink } = collector()
    const c = await serve(
      {
        stable: () => text('s'),
        canary: (_args, extra) => {
          signal = extra.signal
          return new Promise<CallToolResult>((resolve) =>
            extra.signal.addEventListener('abort', () => resolve(text('stopped'))),
          )
        },
      },
      { sinks: sink },
    )
    const controller = new AbortController()
    const pending = c.client.callTool({ name: 'search', arguments: { q: 'x' } }, undefined, {
      signal: controller.signal,
    })
    await until(() => signal !== undefined)
    expect(signal?.aborted).toBe(false)
    controller.abort()
    await expect(pending).rejects.toThrow()
    await until(() => outcomes.length === 1)
    expect(signal?.aborted).toBe(true)
    // It answered, but only after its client had given up: an error for the statistics.
    expect(outcomes).toEqual([expect.objectContaining({ variant: 'canary', error: true })])
  })

  it('runs interceptors around the implementation, first one outermost', async () => {
    const trace: string[] = []
    const calls: RoutedCall[] = []
    const tag =
      (name: string): CallInterceptor =>
      async (routedCall, next) => {
        calls.push(routedCall)
        trace.push(`${name}>`)
        try {
          return await next()
        } finally {
          trace.push(`<${name}`)
        }
      }
    const c = await serve(
      {
        stable: () => text('s'),
        canary: () => (trace.push('impl'), text('c')),
      },
      { interceptors: [tag('outer'), tag('inner')] },
    )
    expect(textOf(await call(c))).toBe('c')
    expect(trace).toEqual(['outer>', 'inner>', 'impl', '<inner', '<outer'])
    expect(calls[0]).toEqual({
      method: 'tools/call',
      operation: 'search',
      flagKey: FLAG,
      variant: 'canary',
      reason: 'TARGETING_MATCH',
      sessionId: 'session-1',
      overridden: false,
    })
    await call(c)
    expect(calls[2]?.reason).toBe('STICKY')
  })

  it('survives sinks and predicates that throw, warning through the logger', async () => {
    const warnings: string[] = []
    const { outcomes, sink } = collector()
    const c = await serve(
      { stable: () => text('s'), canary: () => text('c') },
      {
        sinks: [
          {
            record: () => {
              throw new Error('sink down')
            },
            assigned: () => {
              throw new Error('sink down')
            },
          },
          sink,
        ],
        success: () => {
          throw new Error('predicate bug')
        },
        logger: { warn: (m) => warnings.push(m) },
      },
    )
    expect(variantOf(await call(c))).toBe('canary')
    expect(outcomes).toHaveLength(1)
    expect(outcomes[0]).not.toHaveProperty('success')
    expect(warnings.join('\n')).toMatch(/sink down[\s\S]*predicate bug[\s\S]*sink down/)
  })
})

/** Polls `done` on the event loop, at most `turns` times (bounded: never hangs a test). */
async function until(done: () => boolean, turns = 200): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setTimeout(r, 5))
}
