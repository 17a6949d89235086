import { describe, expect, it } from 'vitest'
import type { Criteria } from '../types.js'
import { resolveCriteria } from './criteria.js'
import { judgeStage } from './judge-stage.js'
import { snapshotOf, type VariantSpec } from './metrics-fixture.js'

function judge(baseline: VariantSpec, canary: VariantSpec, criteria: Criteria = {}, share = 0.1) {
  return judgeStage({
    metrics: snapshotOf(baseline, canary),
    baseline: 'baseline',
    canary: 'canary',
    criteria: resolveCriteria(criteria).criteria,
    share,
  })
}

const verdicts = (j: ReturnType<typeof judge>): Record<string, string> =>
  Object.fromEntries(j.checks.map((c) => [c.criterion, c.verdict]))

/** 1 % errors, 98 % success, p50 120 ms / p99 400 ms, sessions in the configured 10 % share. */
const BASELINE: VariantSpec = { calls: 90_000, errors: 900, sessions: 9000 }

describe('judgeStage', () => {
  it.each<[string, VariantSpec, VariantSpec, Record<string, string>]>([
    [
      'healthy, plenty of data: every criterion shown within its limit',
      BASELINE,
      { calls: 30_000, errors: 300, sessions: 1000 },
      { 'error-rate': 'pass', latency: 'pass', 'success-rate': 'pass', srm: 'pass' },
    ],
    [
      'healthy, little data: nothing failing, nothing proven yet',
      BASELINE,
      { calls: 300, errors: 3, sessions: 1000 },
      { 'error-rate': 'inconclusive', latency: 'inconclusive', 'success-rate': 'inconclusive' },
    ],
    [
      'error regression 1 % → 10 %',
      BASELINE,
      { calls: 200, errors: 20, sessions: 1000 },
      { 'error-rate': 'fail' },
    ],
    [
      'tail-only latency regression: p99 +50 %, median unchanged',
      BASELINE,
      { calls: 5000, errors: 50, sessions: 1000, latency: { p50: 120, p99: 600 } },
      { 'error-rate': 'inconclusive', latency: 'fail' },
    ],
    [
      'tool success drops from 98 % to 94 %',
      BASELINE,
      { calls: 5000, errors: 50, successes: 4700, sessions: 1000 },
      { 'success-rate': 'fail' },
    ],
    [
      'within tolerance: +0.3 pp errors, p99 +5 %',
      BASELINE,
      { calls: 10_000, errors: 130, sessions: 1000, latency: { p50: 120, p99: 420 } },
      { 'error-rate': 'inconclusive', latency: 'inconclusive' },
    ],
    [
      'flapping: bursts of errors that add up to the baseline rate',
      BASELINE,
      { calls: 3000, errors: 31, sessions: 1000 },
      { 'error-rate': 'inconclusive', latency: 'inconclusive' },
    ],
  ])('%s', (_, baseline, canary, expected) => {
    const result = judge(baseline, canary)
    expect(verdicts(result)).toMatchObject(expected)
    expect(result.failed.map((c) => c.criterion)).toEqual(
      Object.entries(expected)
        .filter(([, v]) => v === 'fail')
        .map(([k]) => k),
    )
  })

  it('reports the numbers behind each check: estimate inside its bounds, the threshold', () => {
    const result = judge(BASELINE, { calls: 200, errors: 20, sessions: 1000 })
    const check = result.checks.find((c) => c.criterion === 'error-rate')
    expect(check).toMatchObject({ verdict: 'fail', threshold: 0.005 })
    expect(check?.estimate).toBeCloseTo(0.09, 10)
    expect(check?.lower).toBeGreaterThan(0.005)
    expect(check?.lower).toBeLessThan(check?.estimate ?? 0)
    expect(check?.upper).toBeGreaterThan(check?.estimate ?? 0)
    expect(check?.detail).toMatch(
      /canary 10\.00 % \[.*\] vs baseline 1\.00 % \[.*\]; allowed: canary ≤ baseline \+0\.50 pp/,
    )
    expect(result.canary).toMatchObject({ calls: 200, errors: 20, sessions: 1000 })
    expect(result.canary.p99Ms).toBeGreaterThan(300)
  })

  it('judges nothing below the minimum sample and says how much is missing', () => {
    const result = judge(BASELINE, { calls: 20, errors: 10, sessions: 2 })
    expect(result.checks).toEqual([])
    expect(result.failed).toEqual([])
    expect(result.needed).toEqual({ sessions: 3, calls: 30 })
    expect(result.shortfall).toBe('3 more canary sessions and 30 more canary calls')
  })

  it('expresses the ratio forms (error ≤ 1.5 × baseline, p95 ≤ 1.2 × baseline)', () => {
    const ratio: Criteria = {
      errorRate: { maxRatio: 1.5 },
      latency: { quantile: 0.95, maxIncrease: 0.2 },
    }
    const fine = judge(BASELINE, { calls: 40_000, errors: 400, sessions: 1000 }, ratio)
    expect(verdicts(fine)).toMatchObject({ 'error-rate': 'pass', latency: 'pass' })
    const bad = judge(
      BASELINE,
      { calls: 20_000, errors: 500, sessions: 1000, latency: { p50: 170, p99: 560 } },
      ratio,
    )
    expect(verdicts(bad)).toMatchObject({ 'error-rate': 'fail', latency: 'fail' })
    expect(bad.checks[0]?.detail).toMatch(/allowed: canary ≤ 1\.5 × baseline/)
    expect(bad.checks[1]?.detail).toMatch(/canary p95/)
  })

  it('widens the bounds when calls of a session fail together (design effect)', () => {
    // 20 errors in 200 canary calls, either spread out or all in 2 of 20 sessions.
    const spread = { clusters: 20, sumYY: 20, sumYM: 200, sumMM: 2000 }
    const clumped = { clusters: 20, sumYY: 200, sumYM: 200, sumMM: 2000 }
    const canary = { calls: 200, errors: 20, sessions: 1000 }
    expect(verdicts(judge(BASELINE, { ...canary, errorMoments: spread }))['error-rate']).toBe(
      'fail',
    )
    const result = judge(BASELINE, { ...canary, errorMoments: clumped })
    expect(verdicts(result)['error-rate']).toBe('inconclusive')
    expect(result.checks[0]?.detail).toMatch(/design effect/)
  })

  it('detects a sample ratio mismatch of new sessions (and not a correct split)', () => {
    const skewed = judge(
      { ...BASELINE, sessions: 9000 },
      { calls: 2000, errors: 20, sessions: 1300 },
    )
    expect(skewed.srmMismatch).toMatchObject({ criterion: 'srm', verdict: 'fail', threshold: 0.1 })
    expect(skewed.srmMismatch?.detail).toMatch(/canary has 12\.62 % of 10300 new sessions/)
    expect(judge(BASELINE, { calls: 2000, errors: 20, sessions: 1030 }).srmMismatch).toBeUndefined()
    const off = judge(BASELINE, { calls: 2000, errors: 20, sessions: 1300 }, { srm: false })
    expect(off.checks.map((c) => c.criterion)).not.toContain('srm')
  })

  it('switches criteria off and skips those without data', () => {
    const result = judge(
      { ...BASELINE, successObserved: 0, latency: false },
      { calls: 10_000, errors: 100, sessions: 1000, successObserved: 0, latency: false },
      { errorRate: false },
    )
    expect(result.checks.map((c) => [c.criterion, c.verdict])).toEqual([
      ['latency', 'inconclusive'],
      ['success-rate', 'inconclusive'],
      ['srm', 'pass'],
    ])
    expect(result.unproven).toEqual([]) // neither variant measured them
  })
})
