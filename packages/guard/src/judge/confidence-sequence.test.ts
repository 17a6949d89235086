import { describe, expect, it } from 'vitest'
import { Random } from '../simulator/random.js'
import {
  JEFFREYS_PRIOR,
  RARE_EVENT_PRIOR,
  countBounds,
  logEValue,
  rateBounds,
} from './confidence-sequence.js'
import { logGamma } from './special-functions.js'

describe('logGamma', () => {
  it('matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 11)
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 11)
    expect(logGamma(51)).toBeCloseTo(148.477766951773, 9) // ln 50!
    expect(logGamma(1e6)).toBeCloseTo(12815504.569147611, 4)
  })
})

describe('rateBounds', () => {
  it('brackets the estimate, and the e-value at each bound is exactly 1/α', () => {
    for (const [y, n] of [
      [7, 75],
      [50, 5000],
      [300, 400],
    ] as const) {
      const { lower, upper } = rateBounds(y, n, 0.05, RARE_EVENT_PRIOR)
      expect(lower).toBeLessThan(y / n)
      expect(upper).toBeGreaterThan(y / n)
      expect(logEValue(y, n, lower, RARE_EVENT_PRIOR)).toBeCloseTo(Math.log(20), 6)
      expect(logEValue(y, n, upper, RARE_EVENT_PRIOR)).toBeCloseTo(Math.log(20), 6)
    }
  })

  it('handles no trials, no events and only events', () => {
    expect(rateBounds(0, 0, 0.05, RARE_EVENT_PRIOR)).toEqual({ lower: 0, upper: 1 })
    const none = rateBounds(0, 500, 0.05, RARE_EVENT_PRIOR)
    expect(none.lower).toBe(0)
    expect(none.upper).toBeGreaterThan(0)
    expect(none.upper).toBeLessThan(0.02)
    const all = rateBounds(500, 500, 0.05, RARE_EVENT_PRIOR)
    expect(all.upper).toBe(1)
    expect(all.lower).toBeGreaterThan(0.95) // the prior expects bad events to be rare
  })

  it('narrows as data grows and moves with the events', () => {
    const small = rateBounds(10, 1000, 0.05, RARE_EVENT_PRIOR)
    const large = rateBounds(100, 10000, 0.05, RARE_EVENT_PRIOR)
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower)
    expect(rateBounds(11, 1000, 0.05, RARE_EVENT_PRIOR).lower).toBeGreaterThan(small.lower)
  })

  it.each([0.01, 0.1, 0.5])(
    'covers the true rate %s at every step at once (≤ α of 400 sequences of 2,000 ever miss)',
    (p) => {
      const random = new Random(Math.round(p * 1000))
      const prior = p === 0.5 ? JEFFREYS_PRIOR : RARE_EVENT_PRIOR
      let missed = 0
      for (let run = 0; run < 400; run++) {
        let y = 0
        for (let n = 1; n <= 2000; n++) {
          if (random.next() < p) y++
          const { lower, upper } = rateBounds(y, n, 0.05, prior)
          if (p < lower || p > upper) {
            missed++
            break
          }
        }
      }
      // α = 0.05: 20 of 400 in expectation at worst; the mixture is conservative in practice.
      expect(missed).toBeLessThanOrEqual(20)
    },
  )
})

describe('countBounds', () => {
  it('is the count range whose e-value stays below 1/α', () => {
    const { lo, hi } = countBounds(10_000, 0.01, 0.0125, RARE_EVENT_PRIOR)
    expect(lo).toBeLessThan(100)
    expect(hi).toBeGreaterThan(100)
    expect(logEValue(lo, 10_000, 0.01, RARE_EVENT_PRIOR)).toBeCloseTo(Math.log(80), 5)
    expect(logEValue(hi, 10_000, 0.01, RARE_EVENT_PRIOR)).toBeCloseTo(Math.log(80), 5)
  })

  it('is unbounded below (and above) while no count would be implausible', () => {
    expect(countBounds(10, 0.01, 0.05, RARE_EVENT_PRIOR).lo).toBe(-Infinity)
    expect(countBounds(0, 0.01, 0.05, RARE_EVENT_PRIOR)).toEqual({ lo: -Infinity, hi: Infinity })
  })
})
