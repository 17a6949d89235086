/** The provider through the real OpenFeature SDK, fed by an in-memory source. */
import { createEngine, isFlagsError, METADATA_KEYS, type FlagsDocument } from '@canarykit/core'
import {
  ErrorCode,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
  StandardResolutionReasons,
  type Client,
} from '@openfeature/server-sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { changedFlags, recordEvents, type EventRecorder } from '../test/support/event-recorder.js'
import { CanaryProvider, type CanaryProviderOptions } from './canary-provider.js'
import { objectSource, type ObjectSource } from './object-source.js'

const DOC: FlagsDocument = {
  metadata: { flagSetId: 'checkout' },
  flags: {
    'new-search': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ '==': [{ var: 'tier' }, 'pro'] }, 'on', null] },
      metadata: { owner: 'search-team' },
    },
    color: { state: 'ENABLED', variants: { red: 'red', blue: 'blue' }, defaultVariant: 'red' },
    limit: { state: 'ENABLED', variants: { low: 10, high: 100 }, defaultVariant: 'high' },
    layout: {
      state: 'ENABLED',
      variants: { a: { columns: 2 }, b: { columns: 3 } },
      defaultVariant: 'a',
    },
    retired: { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    broken: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { $ref: 'nowhere' },
    },
  },
}

const cleanups: (() => Promise<void> | void)[] = []
let domains = 0

afterEach(async () => {
  await OpenFeature.clearProviders()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Harness {
  readonly source: ObjectSource
  readonly provider: CanaryProvider
  readonly client: Client
  readonly events: EventRecorder
  readonly logs: string[]
}

async function start(
  document: FlagsDocument = DOC,
  options: Partial<CanaryProviderOptions> = {},
): Promise<Harness> {
  const source = objectSource(document, { name: 'test-flags' })
  const logs: string[] = []
  const logger = {
    warn: (m: string) => logs.push(`warn ${m}`),
    error: (m: string) => logs.push(`error ${m}`),
  }
  const provider = new CanaryProvider({ source, logger, ...options })
  const domain = `provider-${++domains}`
  await OpenFeature.setProviderAndWait(domain, provider)
  const client = OpenFeature.getClient(domain)
  const events = recordEvents(client)
  cleanups.push(() => events.stop())
  return { source, provider, client, events, logs }
}

describe('resolution', () => {
  it('is a real server provider', async () => {
    const { provider, client } = await start()
    expect(provider.metadata.name).toBe('canarykit')
    expect(provider.runsOn).toBe('server')
    expect(client.providerStatus).toBe(ProviderStatus.READY)
    expect(client.providerStatus).not.toBe(ProviderStatus.NOT_READY)
  })

  it('resolves all four types with variant, reason and flag metadata', async () => {
    const { client } = await start()
    const pro = { targetingKey: 'session-1', tier: 'pro' }
    expect(await client.getBooleanDetails('new-search', false, pro)).toEqual({
      flagKey: 'new-search',
      value: true,
      variant: 'on',
      reason: StandardResolutionReasons.TARGETING_MATCH,
      flagMetadata: { flagSetId: 'checkout', owner: 'search-team' },
    })
    expect(await client.getBooleanDetails('new-search', true, { tier: 'free' })).toMatchObject({
      value: false,
      variant: 'off',
      reason: StandardResolutionReasons.DEFAULT,
    })
    expect(await client.getStringDetails('color', 'none')).toMatchObject({
      value: 'red',
      variant: 'red',
      reason: StandardResolutionReasons.STATIC,
    })
    expect(await client.getNumberValue('limit', 0)).toBe(100)
    expect(await client.getObjectValue('layout', {})).toEqual({ columns: 2 })
  })

  it('maps core errors onto OpenFeature codes; the SDK returns the caller default', async () => {
    const { client } = await start()
    const cases = [
      ['missing', false, ErrorCode.FLAG_NOT_FOUND],
      ['color', false, ErrorCode.TYPE_MISMATCH],
      ['broken', true, ErrorCode.PARSE_ERROR],
    ] as const
    for (const [flagKey, fallback, errorCode] of cases) {
      const details = await client.getBooleanDetails(flagKey, fallback)
      expect(details, flagKey).toMatchObject({ value: fallback, reason: 'ERROR', errorCode })
      expect(details.errorMessage, flagKey).toEqual(expect.any(String))
    }
    expect(await client.getBooleanDetails('retired', false)).toMatchObject({
      value: false,
      reason: StandardResolutionReasons.DISABLED,
    })
  })

  it('returns exactly what the core engine returns (one to one)', async () => {
    const { provider } = await start()
    const engine = createEngine()
    engine.load(DOC)
    const contexts = [{}, { targetingKey: 'a', tier: 'pro' }, { tier: 'free' }, { tier: 42 }]
    const calls = [
      ['new-search', false],
      ['color', 'x'],
      ['limit', 1],
      ['layout', { d: 1 }],
      ['retired', true],
      ['broken', false],
      ['missing', 'x'],
      ['color', 5],
    ] as const
    for (const context of contexts) {
      for (const [key, fallback] of calls) {
        const ours =
          typeof fallback === 'boolean'
            ? await provider.resolveBooleanEvaluation(key, fallback, context)
            : typeof fallback === 'string'
              ? await provider.resolveStringEvaluation(key, fallback, context)
              : typeof fallback === 'number'
                ? await provider.resolveNumberEvaluation(key, fallback, context)
                : await provider.resolveObjectEvaluation(key, fallback, context)
        expect(ours, `${key} ${JSON.stringify(context)}`).toEqual(
          engine.evaluate(key, fallback as never, context),
        )
      }
    }
  })
})

describe('reloads from an object source', () => {
  it('lists exactly the added, removed and modified flags', async () => {
    const { source, events, client } = await start()
    const { color: _removed, ...rest } = DOC.flags
    const mark = events.mark()
    source.update({
      ...DOC,
      flags: {
        ...rest,
        limit: { state: 'ENABLED', variants: { low: 10, high: 100 }, defaultVariant: 'low' },
        extra: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' },
      },
    })
    const event = await events.next(ProviderEvents.ConfigurationChanged, mark)
    expect(changedFlags(event)).toEqual(['color', 'extra', 'limit'])
    expect(await client.getNumberValue('limit', 0)).toBe(10)
  })

  it('emits nothing for an update that changes nothing', async () => {
    const { source, provider, events } = await start()
    const mark = events.mark()
    source.update(structuredClone(DOC))
    source.update(JSON.stringify(DOC))
    // Same content, different key order: a load happens, but no flag changed.
    source.update({ flags: DOC.flags, metadata: DOC.metadata } as FlagsDocument)
    await Promise.resolve()
    expect(events.since(ProviderEvents.ConfigurationChanged, mark)).toEqual([])
    expect(provider.sourceStatus.loads).toBe(2)
  })

  it('keeps the last good flags when an update is invalid, then recovers', async () => {
    const { source, provider, client, events, logs } = await start()
    const mark = events.mark()
    source.update(
      '{"flags": {"color": {"state": "ENABLED", "variants": {}, "defaultVariant": "x"}}}',
    )
    const error = await events.next(ProviderEvents.Error, mark)
    expect(error.details.message).toContain('test-flags')
    expect(error.details.message).toContain('/flags/color')
    expect(provider.sourceStatus.state).toBe('error')
    expect(client.providerStatus).toBe(ProviderStatus.ERROR)
    expect(await client.getStringValue('color', 'none')).toBe('red')
    expect(logs.filter((l) => l.startsWith('error'))).toHaveLength(1)

    const again = events.mark()
    source.update({ ...DOC, flags: { color: DOC.flags['color'] as never } })
    await events.next(ProviderEvents.Ready, again)
    const changed = await events.next(ProviderEvents.ConfigurationChanged, again)
    expect(changedFlags(changed)).toEqual(['broken', 'layout', 'limit', 'new-search', 'retired'])
    expect(provider.sourceStatus.state).toBe('ok')
  })

  it('rejects initialize when the first document is invalid', async () => {
    const provider = new CanaryProvider({ source: objectSource('{"flags": 1}'), logger: {} })
    const failure = await OpenFeature.setProviderAndWait('invalid-first', provider).catch(
      (error: unknown) => error,
    )
    expect(isFlagsError(failure) && failure.code).toBe('INVALID_CONFIG')
    expect(OpenFeature.getClient('invalid-first').providerStatus).toBe(ProviderStatus.ERROR)
    expect(provider.sourceStatus).toMatchObject({ state: 'error', loads: 0 })
    expect(provider.sourceStatus.lastError?.code).toBe('INVALID_CONFIG')
  })

  it('reports load time from the injected clock and an xxh64 content hash', async () => {
    const { provider } = await start(DOC, { clock: () => 1_750_000_000_000 })
    expect(provider.sourceStatus).toMatchObject({
      state: 'ok',
      loads: 1,
      lastLoadedAt: 1_750_000_000_000,
      contentHash: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
    })
  })

  it('closed while initializing: initialize rejects, nothing runs, the state stays idle', async () => {
    const provider = new CanaryProvider({ source: objectSource(DOC), logger: {} })
    const own = recordEvents(provider.events)
    cleanups.push(() => own.stop())
    const initializing = provider.initialize().catch((error: unknown) => error)
    await provider.onClose()
    expect(isFlagsError(await initializing)).toBe(true)
    expect(provider.sourceStatus).toMatchObject({ state: 'idle', loads: 0 })
    expect(own.events).toEqual([])
  })

  it('closes idempotently and can be initialized again', async () => {
    const { provider, source } = await start()
    await OpenFeature.clearProviders()
    await provider.onClose()
    expect(provider.sourceStatus.state).toBe('idle')
    const own = recordEvents(provider.events)
    cleanups.push(() => own.stop())
    source.update({ flags: {} }) // a stopped source delivers nothing
    expect(own.events).toEqual([])
    await OpenFeature.setProviderAndWait('again', provider)
    expect(await OpenFeature.getClient('again').getBooleanValue('new-search', true)).toBe(true)
    expect(provider.sourceStatus).toMatchObject({ state: 'ok', loads: 2 })
  })
})

describe('overrides (the kill switch)', () => {
  it('forces a variant at once, marks results, and emits CONFIGURATION_CHANGED', async () => {
    const { provider, client, events } = await start()
    const mark = events.mark()
    provider.override('new-search', 'off')
    const event = await events.next(ProviderEvents.ConfigurationChanged, mark)
    expect(event.details.flagsChanged).toEqual(['new-search'])
    const details = await client.getBooleanDetails('new-search', true, { tier: 'pro' })
    expect(details).toMatchObject({ value: false, variant: 'off' })
    expect(details.flagMetadata[METADATA_KEYS.override]).toBe('off')
    expect([...provider.overrides()]).toEqual([['new-search', 'off']])

    provider.override('new-search', 'off') // no change, no event
    provider.clearOverride('color') // none, no event
    expect(events.since(ProviderEvents.ConfigurationChanged, mark)).toHaveLength(1)

    const cleared = events.mark()
    provider.clearOverride('new-search')
    await events.next(ProviderEvents.ConfigurationChanged, cleared)
    expect(await client.getBooleanValue('new-search', false, { tier: 'pro' })).toBe(true)
  })

  it('forces the default variant with null, and survives reloads', async () => {
    const { provider, client, source, events } = await start()
    provider.override('color', null)
    const mark = events.mark()
    const color = { ...DOC.flags['color'], defaultVariant: 'blue' }
    source.update({ ...DOC, flags: { ...DOC.flags, color } as FlagsDocument['flags'] })
    await events.next(ProviderEvents.ConfigurationChanged, mark)
    const details = await client.getStringDetails('color', 'none')
    expect(details).toMatchObject({ value: 'blue', variant: 'blue' })
    expect(details.flagMetadata[METADATA_KEYS.override]).toBeDefined()
  })

  it('forces a disabled flag too', async () => {
    const { provider, client } = await start()
    provider.override('retired', 'off')
    expect(await client.getBooleanDetails('retired', true)).toMatchObject({
      value: false,
      variant: 'off',
      reason: StandardResolutionReasons.STATIC,
    })
  })

  it('refuses a variant the flag does not have, changing nothing', async () => {
    const { provider, events } = await start()
    const mark = events.mark()
    expect(() => provider.override('color', 'green')).toThrow(/green/)
    expect(provider.overrides().size).toBe(0)
    expect(events.since(ProviderEvents.ConfigurationChanged, mark)).toEqual([])
  })
})
