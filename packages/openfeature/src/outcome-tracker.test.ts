/** `client.track` through the real SDK reaches the outcome sink with the variant served. */
import type { Assignment, FlagsDocument, Outcome, OutcomeSink } from '@canarykit/core'
import { OpenFeature, type Client } from '@openfeature/server-sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { CanaryProvider } from './canary-provider.js'
import { objectSource } from './object-source.js'
import { ServedVariants } from './served-variants.js'

const DOC: FlagsDocument = {
  flags: {
    'new-search': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ '==': [{ var: 'tier' }, 'pro'] }, 'on', null] },
    },
    color: { state: 'ENABLED', variants: { red: 'red', blue: 'blue' }, defaultVariant: 'red' },
  },
}

class RecordingSink implements OutcomeSink {
  readonly assignments: Assignment[] = []
  readonly outcomes: Outcome[] = []
  assigned(assignment: Assignment): void {
    this.assignments.push(assignment)
  }
  record(outcome: Outcome): void {
    this.outcomes.push(outcome)
  }
}

let domains = 0
afterEach(() => OpenFeature.clearProviders())

async function start(
  sink: OutcomeSink,
  maxTrackedUnits?: number,
): Promise<{ provider: CanaryProvider; client: Client; logs: string[] }> {
  const logs: string[] = []
  const logger = { warn: (m: string) => logs.push(m) }
  const provider = new CanaryProvider({
    source: objectSource(DOC),
    outcomeSink: sink,
    logger,
    ...(maxTrackedUnits === undefined ? {} : { maxTrackedUnits }),
  })
  const domain = `tracking-${++domains}`
  await OpenFeature.setProviderAndWait(domain, provider)
  return { provider, client: OpenFeature.getClient(domain), logs }
}

describe('tracking', () => {
  it('turns a tracking event into an Outcome with the variant last served', async () => {
    const sink = new RecordingSink()
    const { client } = await start(sink)
    await client.getBooleanValue('new-search', false, { targetingKey: 's1', tier: 'pro' })
    await client.getBooleanValue('new-search', false, { targetingKey: 's1', tier: 'pro' })
    expect(sink.assignments).toEqual([
      { flagKey: 'new-search', variant: 'on', unitKey: 's1', overridden: false },
    ])
    client.track(
      'search.success',
      { targetingKey: 's1' },
      { flagKey: 'new-search', success: true, value: 3, latencyMs: 12.5 },
    )
    expect(sink.outcomes).toEqual([
      {
        flagKey: 'new-search',
        variant: 'on',
        operation: 'search.success',
        unitKey: 's1',
        error: false,
        success: true,
        latencyMs: 12.5,
        overridden: false,
      },
    ])
  })

  it('without details.flagKey, counts for every flag the unit was served', async () => {
    const sink = new RecordingSink()
    const { client } = await start(sink)
    await client.getBooleanValue('new-search', false, { targetingKey: 's2' })
    await client.getStringValue('color', 'none', { targetingKey: 's2' })
    client.track('checkout.failed', { targetingKey: 's2' }, { error: true })
    expect(sink.outcomes.map((o) => [o.flagKey, o.variant, o.error])).toEqual([
      ['new-search', 'off', true],
      ['color', 'red', true],
    ])
  })

  it('attributes nothing it cannot attribute', async () => {
    const sink = new RecordingSink()
    const { client } = await start(sink)
    await client.getBooleanValue('new-search', false, { targetingKey: 's3' })
    client.track('x', { targetingKey: 'never-served' }, { flagKey: 'new-search' })
    client.track('x', {}, { flagKey: 'new-search' })
    client.track('x', { targetingKey: 's3' }, { flagKey: 'color' })
    await client.getBooleanValue('missing', false, { targetingKey: 's3' })
    client.track('x', { targetingKey: 's3' }, { flagKey: 'missing' })
    expect(sink.outcomes).toEqual([])
  })

  it('marks outcomes served by an override, and reports the new variant as an assignment', async () => {
    const sink = new RecordingSink()
    const { client, provider } = await start(sink)
    await client.getBooleanValue('new-search', false, { targetingKey: 's4', tier: 'pro' })
    provider.override('new-search', 'off')
    await client.getBooleanValue('new-search', false, { targetingKey: 's4', tier: 'pro' })
    client.track('search.success', { targetingKey: 's4' }, { flagKey: 'new-search' })
    expect(sink.assignments.map((a) => [a.variant, a.overridden])).toEqual([
      ['on', false],
      ['off', true],
    ])
    expect(sink.outcomes).toMatchObject([{ variant: 'off', overridden: true }])
  })

  it('never throws when the sink does', async () => {
    const sink: OutcomeSink = {
      assigned: () => {
        throw new Error('assigned broke')
      },
      record: () => {
        throw new Error('record broke')
      },
    }
    const { client, logs } = await start(sink)
    expect(
      await client.getBooleanValue('new-search', false, { targetingKey: 's5', tier: 'pro' }),
    ).toBe(true)
    expect(() => client.track('t', { targetingKey: 's5' }, { flagKey: 'new-search' })).not.toThrow()
    expect(logs.join('\n')).toMatch(/assigned broke[\s\S]*record broke/)
  })

  it('remembers at most maxTrackedUnits units, forgetting the least recently served', async () => {
    const sink = new RecordingSink()
    const { client } = await start(sink, 3)
    for (const unit of ['u1', 'u2', 'u3']) {
      await client.getBooleanValue('new-search', false, { targetingKey: unit })
    }
    await client.getBooleanValue('new-search', false, { targetingKey: 'u1' }) // u1 is fresh again
    await client.getBooleanValue('new-search', false, { targetingKey: 'u4' }) // evicts u2
    for (const unit of ['u1', 'u2', 'u3', 'u4']) {
      client.track('t', { targetingKey: unit }, { flagKey: 'new-search' })
    }
    expect(sink.outcomes.map((o) => o.unitKey)).toEqual(['u1', 'u3', 'u4'])
  })

  it('refuses a nonsensical bound', () => {
    const source = objectSource(DOC)
    expect(() => new CanaryProvider({ source, maxTrackedUnits: 0 })).toThrow(/maxTrackedUnits/)
  })
})

describe('ServedVariants', () => {
  it('stays within its bound under many units', () => {
    const served = new ServedVariants(100)
    for (let i = 0; i < 10_000; i++) served.remember(`unit-${i}`, 'f', i % 2 ? 'a' : 'b', false)
    expect(served.size).toBe(100)
    expect(served.lookup('unit-9999')?.get('f')).toEqual({ variant: 'a', overridden: false })
    expect(served.lookup('unit-9899')).toBeUndefined()
  })

  it('reports only new or changed serves', () => {
    const served = new ServedVariants(10)
    expect(served.remember('u', 'f', 'a', false)).toBe(true)
    expect(served.remember('u', 'f', 'a', false)).toBe(false)
    expect(served.remember('u', 'f', 'a', true)).toBe(true)
    expect(served.remember('u', 'g', 'a', true)).toBe(true)
  })
})
