import { describe, expect, it } from 'vitest'
import { Random } from '../simulator/random.js'
import { RARE_EVENT_PRIOR, rateBounds } from './confidence-sequence.js'
import {
  ONE_SIDED_PRIOR_B,
  logEValueAbove,
  logEValueBelow,
  lowerRateBound,
  upperRateBound,
} from './one-sided-bounds.js'

/** ln E⁺ or ln E⁻ by brute-force quadrature over the truncated Beta(1, b) prior. */
function quadrature(y: number, n: number, m: number, side: 'above' | 'below'): number {
  const b = ONE_SIDED_PRIOR_B
  const [from, to] = side === 'above' ? [m, 1] : [0, m]
  const steps = 200_000
  const width = (to - from) / steps
  const logNull = y * Math.log(m) + (n - y) * Math.log1p(-m)
  let ratio = 0
  let mass = 0
  for (let i = 0; i < steps; i++) {
    const p = from + (i + 0.5) * width
    const density = Math.exp((b - 1) * Math.log1p(-p))
    mass += density
    ratio += density * Math.exp(y * Math.log(p) + (n - y) * Math.log1p(-p) - logNull)
  }
  return Math.log(ratio / mass)
}

describe('one-sided e-values', () => {
  it.each([
    [6, 60, 0.02, 'above'],
    [52, 5003, 0.0075, 'above'],
    [2.5, 40.2, 0.01, 'above'],
    [52, 5003, 0.015, 'below'],
    [0, 300, 0.02, 'below'],
    [30, 100, 0.45, 'below'],
  ] as const)('never exceed the exact value (y=%s, n=%s, m=%s, %s)', (y, n, m, side) => {
    const computed = side === 'above' ? logEValueAbove(y, n, m) : logEValueBelow(y, n, m)
    const exact = quadrature(y, n, m, side)
    // Safe side first (up to quadrature error), and close: the tail bound costs almost nothing.
    expect(computed).toBeLessThanOrEqual(exact + 1e-6)
    expect(computed).toBeGreaterThan(exact - 1e-3)
  })
})

describe('lowerRateBound / upperRateBound', () => {
  it('sit on the rejected side of the boundary, right at it', () => {
    for (const [y, n] of [
      [6, 60],
      [50, 5000],
      [5000, 500_000],
      [3.3, 17.2],
      [980, 1000],
    ] as const) {
      const lower = lowerRateBound(y, n, 0.0375)
      const upper = upperRateBound(y, n, 0.0125)
      expect(lower).toBeLessThan(y / n)
      expect(upper).toBeGreaterThan(y / n)
      expect(logEValueAbove(y, n, lower)).toBeGreaterThanOrEqual(-Math.log(0.0375))
      expect(logEValueAbove(y, n, lower * (1 + 1e-4))).toBeLessThan(-Math.log(0.0375))
      expect(logEValueBelow(y, n, upper)).toBeGreaterThanOrEqual(-Math.log(0.0125))
      if (upper < 1) {
        expect(logEValueBelow(y, n, upper * (1 - 1e-4))).toBeLessThan(-Math.log(0.0125))
      }
    }
  })

  it('handles no trials, no events, only events and fractional counts', () => {
    expect(lowerRateBound(0, 0, 0.05)).toBe(0)
    expect(upperRateBound(0, 0, 0.05)).toBe(1)
    expect(lowerRateBound(0, 500, 0.05)).toBe(0)
    const none = upperRateBound(0, 500, 0.05)
    expect(none).toBeGreaterThan(0)
    expect(none).toBeLessThan(0.01)
    expect(upperRateBound(500, 500, 0.05)).toBe(1)
    expect(lowerRateBound(500, 500, 0.05)).toBeGreaterThan(0.9)
    // Events beyond trials (a rounding artefact upstream) are clamped, not NaN.
    expect(lowerRateBound(12, 10, 0.05)).toBe(lowerRateBound(10, 10, 0.05))
    expect(lowerRateBound(2.6, 30.4, 0.05)).toBeGreaterThan(lowerRateBound(2.5, 30.4, 0.05))
  })

  it('stay at 1 for an upper bound near a rate of 1: the rare-event prior says nothing there', () => {
    expect(upperRateBound(99, 100, 0.05)).toBe(1)
  })

  it('are tighter on their side than the two-sided mixture bounds at the same α', () => {
    for (const [y, n] of [
      [6, 60],
      [50, 5000],
      [500, 50_000],
    ] as const) {
      const twoSided = rateBounds(y, n, 0.05, RARE_EVENT_PRIOR)
      expect(lowerRateBound(y, n, 0.05)).toBeGreaterThan(twoSided.lower)
      expect(upperRateBound(y, n, 0.05)).toBeLessThan(twoSided.upper)
    }
  })

  it.each([0.005, 0.02, 0.1])(
    'each cover the true rate %s at every step at once (≤ α of 400 sequences ever miss)',
    (p) => {
      const random = new Random(Math.round(p * 10_000))
      let lowMisses = 0
      let highMisses = 0
      for (let run = 0; run < 400; run++) {
        let y = 0
        let low = false
        let high = false
        for (let n = 1; n <= 3000; n++) {
          if (random.next() < p) y++
          if (n % 5 !== 0) continue
          low ||= lowerRateBound(y, n, 0.05) > p
          high ||= upperRateBound(y, n, 0.05) < p
          if (low && high) break
        }
        if (low) lowMisses++
        if (high) highMisses++
      }
      // α = 0.05 per side. One-sided sequences spend most of it (3–4.7 % measured at 4,000
      // sequences): a miss rate of exactly 5 % would exceed 28 of 400 with ~3 % probability.
      expect(lowMisses).toBeLessThanOrEqual(28)
      expect(highMisses).toBeLessThanOrEqual(28)
      expect(lowMisses + highMisses).toBeGreaterThan(0) // the sequences do get near the rate
    },
  )
})
