import { FlagdCore } from '@openfeature/flagd-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createEngine } from '../engine.js'
import type { FlagsDocument } from '../load/flags-document.js'
import { beta, internal, region, tier } from './conditions.js'
import { percentageSplit, rolloutFlag, rolloutTargeting } from './rollout.js'

const variants = { baseline: ['stable', 'v1'], canary: ['canary', 'v2'] } as const

function engineWith(
  percentage: number,
  cohorts: Parameters<typeof rolloutTargeting>[0]['cohorts'] = [],
) {
  const engine = createEngine()
  const document: FlagsDocument = {
    flags: { search: rolloutFlag({ variants, percentage, cohorts }) },
  }
  const result = engine.load(document)
  expect(result.warnings).toEqual([])
  expect(result.brokenFlags).toEqual([])
  return engine
}

describe('percentage rollouts', () => {
  it('writes the canary bucket first, in weights out of 10,000', () => {
    expect(percentageSplit('stable', 'canary', 12.5)).toEqual({
      fractional: [
        ['canary', 1250],
        ['stable', 8750],
      ],
    })
    expect(percentageSplit('stable', 'canary', 0)).toEqual({
      fractional: [
        ['canary', 0],
        ['stable', 10000],
      ],
    })
  })

  it.each([-1, 100.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses the percentage %s',
    (percentage) => {
      expect(() => percentageSplit('a', 'b', percentage)).toThrow(/between 0 and 100/)
    },
  )

  it('sends about the configured share of units to the canary', () => {
    const engine = engineWith(10)
    let canary = 0
    for (let i = 0; i < 20_000; i++)
      if (engine.evaluate('search', 'v1', { targetingKey: `s-${i}` }).value === 'v2') canary++
    // 10 % of 20,000 = 2,000, binomial sd ~42: a 5-sigma band.
    expect(canary).toBeGreaterThan(2000 - 210)
    expect(canary).toBeLessThan(2000 + 210)
  })

  it('is monotonic: raising the percentage never moves a canary unit back to the baseline', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (key, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a]
          const before = engineWith(low).evaluate('search', 'v1', { targetingKey: key }).value
          const after = engineWith(high).evaluate('search', 'v1', { targetingKey: key }).value
          return before === 'v1' || after === 'v2'
        },
      ),
      { seed: 42, numRuns: 300 },
    )
  })

  it('serves the baseline (default variant) to a unit without a targeting key', () => {
    expect(engineWith(100).evaluate('search', 'x', {})).toMatchObject({
      value: 'v1',
      reason: 'DEFAULT',
    })
  })

  it('is plain flagd JSON: flagd-core assigns every unit the same variant', () => {
    const document = JSON.stringify({
      flags: {
        search: rolloutFlag({
          variants,
          percentage: 37,
          cohorts: [tier(['enterprise']), beta(), internal({ emailDomains: ['example.com'] })],
        }),
      },
    })
    const ours = createEngine()
    ours.load(document)
    const flagd = new FlagdCore()
    flagd.setConfigurations(document)
    const tiers = ['free', 'pro', 'enterprise']
    for (let i = 0; i < 2_000; i++) {
      const context = {
        targetingKey: `user-${i}`,
        tier: tiers[i % 3] as string,
        beta: i % 7 === 0,
        email: i % 11 === 0 ? `u${i}@example.com` : `u${i}@other.org`,
      }
      const expected = flagd.resolveStringEvaluation('search', 'none', context)
      const actual = ours.evaluate('search', 'none', context)
      expect([actual.value, actual.variant, actual.reason]).toEqual([
        expected.value,
        expected.variant,
        expected.reason,
      ])
    }
  })
})

describe('cohorts', () => {
  const engine = engineWith(0, [
    tier(['enterprise']),
    region(['eu-west-1']),
    beta(),
    internal({ emailDomains: ['example.com'], ids: ['vip-1'] }),
    { when: tier(['legacy']), serve: 'stable' },
  ])
  const served = (context: Record<string, unknown>) =>
    engine.evaluate('search', 'none', { targetingKey: 'k', ...context }).value

  it('sends each cohort to the canary, in priority order, before the (0 %) split', () => {
    expect(served({ tier: 'enterprise' })).toBe('v2')
    expect(served({ region: 'eu-west-1' })).toBe('v2')
    expect(served({ beta: true })).toBe('v2')
    expect(served({ email: 'dev@example.com' })).toBe('v2')
    expect(served({ userId: 'vip-1' })).toBe('v2')
    expect(served({ tier: 'legacy' })).toBe('v1')
    expect(served({ tier: 'free' })).toBe('v1')
  })

  it('opts in only on a real boolean true, and never errors on odd attribute types', () => {
    for (const value of ['true', 1, null, {}, []]) {
      expect(engine.evaluate('search', 'none', { targetingKey: 'k', beta: value })).toMatchObject({
        value: 'v1',
        reason: 'TARGETING_MATCH',
      })
    }
  })

  it('builds an if-chain only when there are cohorts', () => {
    expect(rolloutTargeting({ baseline: 'a', canary: 'b', percentage: 1 })).toHaveProperty(
      'fractional',
    )
    expect(
      rolloutTargeting({ baseline: 'a', canary: 'b', percentage: 1, cohorts: [beta()] }),
    ).toHaveProperty('if')
  })
})
