import { describe, expect, it } from 'vitest'
import { DEFAULT_CRITERIA, resolveCriteria } from './criteria.js'

describe('resolveCriteria', () => {
  it('fills in the product defaults', () => {
    expect(resolveCriteria({})).toEqual({ criteria: DEFAULT_CRITERIA, issues: [] })
    expect(resolveCriteria(undefined).criteria).toEqual(DEFAULT_CRITERIA)
  })

  it('keeps what is given, per field, and switches criteria off with false', () => {
    const { criteria } = resolveCriteria({
      errorRate: { maxRatio: 1.5 },
      latency: { quantile: 0.95 },
      successRate: false,
      srm: false,
      alpha: 0.01,
      minCallsPerVariant: 200,
    })
    expect(criteria).toEqual({
      errorRate: { maxRatio: 1.5 },
      latency: { quantile: 0.95, maxIncrease: 0.1 },
      successRate: false,
      srm: false,
      alpha: 0.01,
      minCallsPerVariant: 200,
      minSessionsPerVariant: 5,
    })
    expect(
      resolveCriteria({ errorRate: { maxIncrease: 0.01, maxRatio: 2 } }).criteria.errorRate,
    ).toEqual({
      maxIncrease: 0.01,
      maxRatio: 2,
    })
  })

  it('reports every unusable field with its path and falls back to the default', () => {
    const { criteria, issues } = resolveCriteria({
      errorRate: { maxIncrease: 2 },
      latency: { quantile: 1.5 },
      alpha: 0,
      minSessionsPerVariant: -1,
    })
    expect(issues.map((i) => i.path)).toEqual([
      '/criteria/errorRate/maxIncrease',
      '/criteria/latency/quantile',
      '/criteria/alpha',
      '/criteria/minSessionsPerVariant',
    ])
    expect(criteria.alpha).toBe(0.05)
    expect(resolveCriteria('strict' as never).issues).toEqual([
      { path: '/criteria', message: 'criteria must be an object' },
    ])
  })
})
