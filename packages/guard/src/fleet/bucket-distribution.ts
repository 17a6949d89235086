import type { LatencyDistribution } from '../metrics/latency-sketch.js'

/**
 * One histogram bucket (ms): values in (lower, upper]; the last has upper = Infinity.
 *
 * @example
 * const bucket: LatencyBucket = { upper: 250, count: 12 }
 */
export interface LatencyBucket {
  readonly upper: number
  readonly count: number
}

/**
 * A latency distribution rebuilt from Prometheus histogram buckets. Only the bucket holding a
 * value is known, so quantiles report the bucket's upper bound: conservative (never below the
 * true quantile) except in the +Inf bucket, where the highest finite bound is the best known
 * (a lower bound). Quantile error is therefore up to one bucket width, e.g. 100 ms → 250 ms.
 *
 * @example
 * const d = bucketDistribution([{ upper: 50, count: 9 }, { upper: 100, count: 1 }, { upper: Infinity, count: 0 }])
 * d.quantile(0.99) // 100
 */
export function bucketDistribution(buckets: readonly LatencyBucket[]): LatencyDistribution {
  const sorted = [...buckets]
    .filter((b) => b.count > 0 && b.upper > 0)
    .sort((a, b) => a.upper - b.upper)
  const edges = [...buckets].map((b) => b.upper).sort((a, b) => a - b)
  const lowerOf = (upper: number): number => {
    let lower = 0
    for (const e of edges) if (e < upper) lower = e
    return lower
  }
  const highestFinite = edges.filter((e) => e < Infinity).at(-1) ?? 0
  const count = sorted.reduce((s, b) => s + b.count, 0)
  const sum = (keep: (b: LatencyBucket) => boolean): number =>
    sorted.reduce((s, b) => (keep(b) ? s + b.count : s), 0)
  return {
    count,
    quantile(q) {
      if (count === 0 || !(q >= 0 && q <= 1)) return NaN
      const rank = q * (count - 1)
      let seen = 0
      for (const b of sorted) {
        seen += b.count
        if (seen > rank) return b.upper === Infinity ? highestFinite : b.upper
      }
      return highestFinite
    },
    // Certainly above x: the whole bucket lies above x.
    countAbove: (x) => sum((b) => lowerOf(b.upper) >= x),
    // May be at or above x: the bucket reaches x.
    countAtOrAbove: (x) => sum((b) => b.upper >= x),
    rankFromTop(k) {
      if (!(k >= 1) || k > count) return { lower: 0, upper: Infinity }
      let seen = 0
      for (let i = sorted.length - 1; i >= 0; i--) {
        const b = sorted[i]
        if (b === undefined) continue
        seen += b.count
        if (seen >= k) return { lower: lowerOf(b.upper), upper: b.upper }
      }
      return { lower: 0, upper: Infinity }
    },
  }
}
