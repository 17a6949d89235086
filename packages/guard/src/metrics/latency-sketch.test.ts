import { describe, expect, it } from 'vitest'
import { Random } from '../simulator/random.js'
import { LatencySketch } from './latency-sketch.js'

/** Log-normal latencies (median 120 ms, p99 ≈ 400 ms), seeded. */
function latencies(n: number, seed: number): number[] {
  const random = new Random(seed)
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next())
    out.push(120 * Math.exp(0.5176 * z))
  }
  return out
}

const QUANTILES = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1]

describe('LatencySketch', () => {
  it.each([
    ['log-normal', () => latencies(100_000, 1)],
    ['uniform 0.5..30000 ms', () => latencies(50_000, 2).map((x) => 0.5 + (x % 1) * 30_000)],
    ['heavy tail', () => latencies(50_000, 3).map((x) => x ** 3 / 1e4)],
  ])('answers quantiles within 1 %% of the exact sorted value (%s)', (_, generate) => {
    const values = generate()
    const sketch = new LatencySketch()
    for (const v of values) sketch.add(v)
    const sorted = [...values].sort((a, b) => a - b)
    for (const q of QUANTILES) {
      const exact = sorted[Math.floor(q * (sorted.length - 1))] ?? NaN
      const relative = Math.abs(sketch.quantile(q) - exact) / exact
      expect(relative, `q=${q}`).toBeLessThanOrEqual(0.01 + 1e-12)
    }
    expect(sketch.count).toBe(values.length)
  })

  it('merges into exactly what one sketch of both inputs holds', () => {
    const a = latencies(20_000, 4)
    const b = latencies(30_000, 5).map((x) => x * 3)
    const left = new LatencySketch()
    const right = new LatencySketch()
    const both = new LatencySketch()
    for (const v of a) {
      left.add(v)
      both.add(v)
    }
    for (const v of b) {
      right.add(v)
      both.add(v)
    }
    left.merge(right)
    for (const q of QUANTILES) expect(left.quantile(q)).toBe(both.quantile(q))
    expect(left.count).toBe(both.count)
  })

  it('adds a histogram at once the same as bucket by bucket', () => {
    const counts = [0, 3, 0, 7, 1, 0, 2, 0]
    const bulk = new LatencySketch()
    const single = new LatencySketch()
    bulk.addCounts(200, counts)
    counts.forEach((n, i) => single.addBucket(200 + i, n))
    for (const q of QUANTILES) expect(bulk.quantile(q)).toBe(single.quantile(q))
    expect(bulk.count).toBe(13)
  })

  it('stays within maxBuckets by collapsing the lowest buckets; high quantiles stay exact', () => {
    // 256 buckets span a ratio of gamma^255 ≈ 156; these values span about 1e8.
    const sketch = new LatencySketch({ maxBuckets: 256 })
    const values = latencies(20_000, 6).map((x) => x ** 4 / 1e6)
    for (const v of values) sketch.add(v)
    expect(sketch.bucketCapacity).toBeLessThanOrEqual(256)
    expect(sketch.quantile(0.01)).toBeGreaterThan(100) // the low end collapsed upwards
    const sorted = [...values].sort((a, b) => a - b)
    for (const q of [0.99, 0.999, 1]) {
      const exact = sorted[Math.floor(q * (sorted.length - 1))] ?? NaN
      expect(Math.abs(sketch.quantile(q) - exact) / exact).toBeLessThanOrEqual(0.01 + 1e-12)
    }
    expect(sketch.count).toBe(values.length)
  })

  it('counts values certainly above and possibly at-or-above a threshold', () => {
    const values = latencies(10_000, 7)
    const sketch = new LatencySketch()
    for (const v of values) sketch.add(v)
    for (const x of [50, 120, 300, 400, 1000]) {
      const exact = values.filter((v) => v > x).length
      expect(sketch.countAbove(x)).toBeLessThanOrEqual(exact)
      expect(sketch.countAtOrAbove(x)).toBeGreaterThanOrEqual(exact)
      // They differ by one bucket (a 2 % band around x) at most.
      const band = values.filter((v) => v > x / 1.0203 && v <= x * 1.0203).length
      expect(sketch.countAtOrAbove(x) - sketch.countAbove(x)).toBeLessThanOrEqual(band)
    }
  })

  it('brackets the k-th largest value with its bucket edges', () => {
    const values = latencies(5_000, 8)
    const sketch = new LatencySketch()
    for (const v of values) sketch.add(v)
    const descending = [...values].sort((a, b) => b - a)
    for (const k of [1, 2, 10, 50, 2500, 5000]) {
      const { lower, upper } = sketch.rankFromTop(k)
      const exact = descending[k - 1] ?? NaN
      expect(lower).toBeLessThan(exact)
      expect(upper).toBeGreaterThanOrEqual(exact)
      expect(upper / lower).toBeCloseTo(sketch.gamma, 10)
    }
    expect(sketch.rankFromTop(0)).toEqual({ lower: 0, upper: Infinity })
    expect(sketch.rankFromTop(5_001)).toEqual({ lower: 0, upper: Infinity })
  })

  it('ignores invalid values, keeps zeros, and is empty after clear', () => {
    const sketch = new LatencySketch()
    for (const v of [NaN, -1, Infinity, -Infinity]) sketch.add(v)
    expect(sketch.count).toBe(0)
    expect(sketch.quantile(0.5)).toBeNaN()
    sketch.add(0)
    sketch.add(0)
    sketch.add(10)
    expect(sketch.count).toBe(3)
    expect(sketch.quantile(0)).toBe(0)
    expect(sketch.quantile(1)).toBeCloseTo(10, 0)
    expect(sketch.countAbove(1)).toBe(1)
    const copy = sketch.clone()
    sketch.clear()
    expect(sketch.count).toBe(0)
    expect(copy.count).toBe(3)
  })

  it('rejects bad options and merges of different accuracy', () => {
    expect(() => new LatencySketch({ relativeAccuracy: 0 })).toThrow(/relativeAccuracy/)
    expect(() => new LatencySketch({ maxBuckets: 1 })).toThrow(/maxBuckets/)
    const coarse = new LatencySketch({ relativeAccuracy: 0.05 })
    expect(() => new LatencySketch().merge(coarse)).toThrow(/accuracy/)
  })
})
