import { createEngine, METADATA_KEYS, type Engine } from '@canarykit/core'
import {
  InMemoryProvider,
  OpenFeature,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import {
  connectInMemory,
  FLAG,
  rolloutDocument,
  searchServer,
  textOf,
  type Connection,
} from '../test/harness.js'
import { createCanaryRouter } from './canary-router.js'
import { openFeatureEvaluator } from './openfeature-evaluator.js'

/*
 * A minimal OpenFeature provider over the core engine, so flag metadata (pin epoch, kill switch)
 * travels through the real OpenFeature SDK. (@canarykit/openfeature is the real one; adapters
 * do not import each other.)
 */
function engineProvider(engine: Engine): Provider {
  const resolve = <T>(flagKey: string, defaultValue: T, context: EvaluationContext) =>
    Promise.resolve(
      engine.evaluate(flagKey, defaultValue as never, context) as unknown as ResolutionDetails<T>,
    )
  return {
    metadata: { name: 'engine-test-provider' },
    runsOn: 'server',
    resolveBooleanEvaluation: (key, value, context) => resolve(key, value, context),
    resolveStringEvaluation: (key, value, context) => resolve(key, value, context),
    resolveNumberEvaluation: (key, value, context) => resolve(key, value, context),
    resolveObjectEvaluation: <T extends JsonValue>(
      key: string,
      value: T,
      context: EvaluationContext,
    ) => resolve(key, value, context),
  }
}

const open: Connection[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()))
})
afterAll(async () => {
  await OpenFeature.clearProviders()
})

describe('openFeatureEvaluator', () => {
  it('reads variant names from a real OpenFeature client, for each flag type', async () => {
    await OpenFeature.setProviderAndWait(
      'in-memory',
      new InMemoryProvider({
        'by-string': {
          variants: { stable: 'v1', canary: 'v2' },
          defaultVariant: 'stable',
          disabled: false,
          contextEvaluator: (ctx) => (ctx.targetingKey === 'beta-1' ? 'canary' : 'stable'),
        },
        'by-boolean': { variants: { on: true, off: false }, defaultVariant: 'on', disabled: false },
        'by-object': { variants: { big: { n: 2 } }, defaultVariant: 'big', disabled: false },
        off: { variants: { canary: 'v2' }, defaultVariant: 'canary', disabled: true },
      }),
    )
    const client = OpenFeature.getClient('in-memory')
    const strings = openFeatureEvaluator(client)
    expect(await strings.resolveVariant('by-string', { targetingKey: 'beta-1' })).toMatchObject({
      flagKey: 'by-string',
      variant: 'canary',
      value: 'v2',
      reason: 'TARGETING_MATCH',
    })
    expect(await strings.resolveVariant('by-string', { targetingKey: 'x' })).toMatchObject({
      variant: 'stable',
    })
    expect(
      await openFeatureEvaluator(client, { type: 'boolean' }).resolveVariant('by-boolean', {}),
    ).toMatchObject({ variant: 'on', value: true, reason: 'STATIC' })
    expect(
      await openFeatureEvaluator(client, { type: 'object' }).resolveVariant('by-object', {}),
    ).toMatchObject({ variant: 'big', value: { n: 2 } })
    expect(await strings.resolveVariant('off', {})).toMatchObject({ reason: 'DISABLED' })
    expect(await strings.resolveVariant('nope', {})).toMatchObject({
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    })
    expect(
      await openFeatureEvaluator(client, { type: 'boolean' }).resolveVariant('by-string', {}),
    ).toMatchObject({ reason: 'ERROR', errorCode: 'TYPE_MISMATCH' })
  })

  it('folds OpenFeature-only error codes into GENERAL, keeping the code in the message', async () => {
    const never: Provider = {
      metadata: { name: 'never-ready' },
      runsOn: 'server',
      initialize: () => new Promise(() => undefined),
      resolveBooleanEvaluation: () => Promise.reject(new Error('unused')),
      resolveStringEvaluation: () => Promise.reject(new Error('unused')),
      resolveNumberEvaluation: () => Promise.reject(new Error('unused')),
      resolveObjectEvaluation: () => Promise.reject(new Error('unused')),
    }
    void OpenFeature.setProvider('not-ready', never)
    const r = await openFeatureEvaluator(OpenFeature.getClient('not-ready')).resolveVariant(
      FLAG,
      {},
    )
    expect(r).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' })
    expect(r.errorMessage).toMatch(/^PROVIDER_NOT_READY/)
  })

  it('routes MCP sessions through OpenFeature, honouring the pin epoch and the kill switch', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 50, 1))
    await OpenFeature.setProviderAndWait('engine', engineProvider(engine))
    const evaluator = openFeatureEvaluator(OpenFeature.getClient('engine'))
    expect(
      (await evaluator.resolveVariant(FLAG, { targetingKey: 's' })).flagMetadata[
        METADATA_KEYS.pinEpoch
      ],
    ).toBe(1)
    const router = createCanaryRouter({ evaluator })
    const served = async (): Promise<string[]> =>
      Promise.all(
        open.map(async (c) => {
          const result = await c.client.callTool({ name: 'search', arguments: { q: 'x' } })
          return textOf(result).split(':')[0] as string
        }),
      )
    for (let i = 0; i < 30; i++) {
      open.push(await connectInMemory(searchServer(router), { sessionId: `of-${i}` }))
    }
    const before = await served()
    expect(before).toEqual(
      open.map((_, i) => engine.resolveVariant(FLAG, { targetingKey: `of-${i}` }).variant),
    )
    engine.load(rolloutDocument(FLAG, 100, 1))
    expect(await served()).toEqual(before)
    engine.override(FLAG, 'stable')
    expect(new Set(await served())).toEqual(new Set(['stable']))
    engine.clearOverride(FLAG)
    engine.load(rolloutDocument(FLAG, 0, 2))
    expect(new Set(await served())).toEqual(new Set(['stable']))
  })
})
