import { createEngine, type FlagsDocument } from '@canarykit/core'
import {
  createEvaluationEvent,
  InMemoryProvider,
  OpenFeature,
  type EvaluationDetails,
  type FlagValue,
  type Hook,
  type HookContext,
} from '@openfeature/server-sdk'
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs'
import { afterEach, describe, expect, it } from 'vitest'
import { createEvaluationEvents, type EvaluationEventsOptions } from './evaluation-events.js'
import { instrumentEngine } from './instrument-engine.js'
import { openFeatureHook } from './openfeature-hook.js'
import { createPrometheusMetrics } from './prometheus-metrics.js'

const providers: LoggerProvider[] = []
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()))
  await OpenFeature.clearProviders()
  OpenFeature.clearHooks()
})

/** A real OTel logs SDK with an in-memory exporter; `events()` lists what was emitted. */
function sdkEvents(options: Omit<EvaluationEventsOptions, 'logger'> = {}) {
  const exporter = new InMemoryLogRecordExporter()
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(exporter)] })
  providers.push(provider)
  const recorder = createEvaluationEvents({ logger: provider.getLogger('test'), ...options })
  return {
    recorder,
    events: () =>
      exporter
        .getFinishedLogRecords()
        .map((r) => ({ name: r.eventName, attributes: r.attributes })),
  }
}

const FLAGS: FlagsDocument = {
  flags: {
    color: {
      state: 'ENABLED',
      variants: { red: 'red', blue: 'blue' },
      defaultVariant: 'red',
      targeting: { if: [{ '===': [{ var: 'tier' }, 'pro'] }, 'blue', null] },
      metadata: { version: '7' },
    },
    off: { state: 'DISABLED', variants: { on: true }, defaultVariant: 'on' },
  },
  metadata: { flagSetId: 'docs' },
}

describe('feature_flag.evaluation events from the core engine', () => {
  it('carries the semantic-convention attributes, lowercased, without identifiers by default', () => {
    const { recorder, events } = sdkEvents()
    const engine = instrumentEngine(createEngine(), recorder)
    engine.load(FLAGS)
    engine.evaluate('color', 'none', { targetingKey: 'session-1', tier: 'pro' })
    engine.evaluate('off', false, { targetingKey: 'session-1' })
    expect(events()).toEqual([
      {
        name: 'feature_flag.evaluation',
        attributes: {
          'feature_flag.key': 'color',
          'feature_flag.result.variant': 'blue',
          'feature_flag.result.reason': 'targeting_match',
          'feature_flag.provider.name': 'canarykit',
          'feature_flag.version': '7',
          'feature_flag.set.id': 'docs',
        },
      },
      {
        // No variant: the value is required instead (here the caller's default).
        name: 'feature_flag.evaluation',
        attributes: {
          'feature_flag.key': 'off',
          'feature_flag.result.value': false,
          'feature_flag.result.reason': 'disabled',
          'feature_flag.provider.name': 'canarykit',
          'feature_flag.set.id': 'docs',
        },
      },
    ])
  })

  it('reports errors with error.type and feature_flag.error.message (not error.message)', () => {
    const { recorder, events } = sdkEvents({ contextId: true })
    const engine = instrumentEngine(createEngine(), recorder, { providerName: 'docs-engine' })
    engine.load(FLAGS)
    engine.evaluate('nope', false, { targetingKey: 'session-2' })
    engine.evaluate('color', 0, { targetingKey: 'session-2' })
    const [missing, mismatch] = events().map((e) => e.attributes)
    expect(missing).toEqual({
      'feature_flag.key': 'nope',
      'feature_flag.result.value': false,
      'feature_flag.result.reason': 'error',
      'feature_flag.provider.name': 'docs-engine',
      'feature_flag.context.id': 'session-2',
      'feature_flag.set.id': 'docs',
      'error.type': 'flag_not_found',
      'feature_flag.error.message': 'flag "nope" not found',
    })
    expect(mismatch?.['error.type']).toBe('type_mismatch')
    expect(mismatch).not.toHaveProperty('error.message')
  })

  it('also emits the deprecated error.message when asked to', () => {
    const { recorder, events } = sdkEvents({ legacyErrorMessage: true })
    const engine = instrumentEngine(createEngine(), recorder)
    engine.evaluate('nope', 'x')
    const [attributes] = events().map((e) => e.attributes)
    expect(attributes?.['error.message']).toBe('flag "nope" not found')
    expect(attributes?.['feature_flag.error.message']).toBe('flag "nope" not found')
  })

  it('emits one event per evaluated flag for resolveVariant and evaluateAll', () => {
    const { recorder, events } = sdkEvents()
    const engine = instrumentEngine(createEngine(), recorder)
    engine.load(FLAGS)
    engine.resolveVariant('color', { targetingKey: 's' })
    engine.evaluateAll({ targetingKey: 's' })
    expect(events().map((e) => e.attributes['feature_flag.key'])).toEqual(['color', 'color', 'off'])
  })
})

describe('openFeatureHook with the real OpenFeature server SDK', () => {
  async function client(domain: string) {
    const provider = new InMemoryProvider({
      color: {
        variants: { red: 'red', blue: 'blue' },
        defaultVariant: 'red',
        disabled: false,
        contextEvaluator: (ctx) => (ctx['tier'] === 'pro' ? 'blue' : 'red'),
      },
    })
    await OpenFeature.setProviderAndWait(domain, provider)
    return OpenFeature.getClient(domain)
  }

  it('records metrics and events for successes and errors', async () => {
    const { recorder, events } = sdkEvents()
    const metrics = createPrometheusMetrics()
    const c = await client('telemetry-hook')
    c.addHooks(openFeatureHook([metrics, recorder]))
    expect(await c.getStringValue('color', 'none', { targetingKey: 'u-1', tier: 'pro' })).toBe(
      'blue',
    )
    expect(await c.getBooleanValue('missing', false, { targetingKey: 'u-1' })).toBe(false)
    const text = await metrics.registry.metrics()
    expect(text).toContain(
      'canarykit_flag_evaluations_total{flag="color",variant="blue",reason="targeting_match"} 1',
    )
    expect(text).toContain(
      'canarykit_flag_evaluations_total{flag="missing",variant="",reason="error"} 1',
    )
    const [ok, error] = events().map((e) => e.attributes)
    expect(ok?.['feature_flag.provider.name']).toBe('in-memory')
    expect(error?.['error.type']).toBe('flag_not_found')
  })

  it("matches @openfeature/core's createEvaluationEvent, except for the documented differences", async () => {
    const { recorder, events } = sdkEvents({ contextId: true })
    const oracle: Record<string, unknown>[] = []
    const reference: Hook = {
      finally(hookContext: HookContext, details: EvaluationDetails<FlagValue>) {
        oracle.push(createEvaluationEvent(hookContext, details).attributes)
      },
    }
    const c = await client('telemetry-oracle')
    c.addHooks(openFeatureHook(recorder), reference)
    await c.getStringValue('color', 'none', { targetingKey: 'u-1', tier: 'pro' })
    await c.getStringValue('color', 'none', { targetingKey: 'u-2' })
    await c.getNumberValue('color', 0, { targetingKey: 'u-3' })
    await c.getBooleanValue('missing', false, { targetingKey: 'u-4' })
    expect(oracle).toHaveLength(4)
    const expected = oracle.map((attributes) => {
      const { 'error.message': message, ...rest } = attributes
      // Difference 1: the value only when there is no variant (semconv: conditionally required).
      if (rest['feature_flag.result.variant'] !== undefined)
        delete rest['feature_flag.result.value']
      // Difference 2: the current semconv name for the message.
      return message === undefined ? rest : { ...rest, 'feature_flag.error.message': message }
    })
    expect(events().map((e) => e.attributes)).toEqual(expected)
  })

  it('is silent when an old SDK calls finally without details', () => {
    const { recorder, events } = sdkEvents()
    const hook = openFeatureHook(recorder)
    hook.finally({ flagKey: 'f', context: {}, providerMetadata: { name: 'p' } })
    expect(events()).toEqual([])
  })
})
