import { FlagsError } from '@canarykit/core'

/*
 * A DDSketch-style latency histogram (Masson, Rim & Lee, VLDB 2019): value x > 0 falls in bucket
 * i = ceil(log_gamma(x)) with gamma = (1 + a) / (1 - a), so every bucket spans a ratio of gamma
 * and its representative value 2·gamma^i / (gamma + 1) is within relative accuracy `a` of every
 * value in it. Counts live in one dense Float64Array that grows by doubling up to `maxBuckets`;
 * past that the lowest buckets collapse into one (the tail the guard judges is the high end).
 */

/** Read-only view of a latency distribution, as the judge uses it. */
export interface LatencyDistribution {
  /** Values recorded. */
  readonly count: number
  /** The q-quantile (0..1) within the relative accuracy; NaN when empty. */
  quantile(q: number): number
  /** How many values are certainly above `x` (values in the bucket holding `x` are left out). */
  countAbove(x: number): number
  /** How many values may be at or above `x` (the bucket holding `x` is counted in). */
  countAtOrAbove(x: number): number
  /** The edges of the bucket holding the k-th largest value (k = 1 is the maximum). */
  rankFromTop(k: number): { readonly lower: number; readonly upper: number }
}

export interface LatencySketchOptions {
  /** Relative accuracy of quantiles. Default 0.01 (1 %). */
  readonly relativeAccuracy?: number
  /** Upper bound on buckets kept; beyond it the lowest buckets collapse. Default 2048. */
  readonly maxBuckets?: number
}

/** Values at or below this (ms) count as zero: one bucket instead of thousands of tiny ones. */
const MIN_INDEXABLE = 1e-3
const INITIAL_BUCKETS = 64

/**
 * A mergeable latency sketch with bounded memory and 1 % relative error on quantiles.
 *
 * @example
 * const sketch = new LatencySketch()
 * for (const ms of [12, 15, 480]) sketch.add(ms)
 * sketch.quantile(0.99) // ≈ 480 (within 1 %)
 */
export class LatencySketch implements LatencyDistribution {
  readonly relativeAccuracy: number
  readonly maxBuckets: number
  readonly gamma: number
  private readonly lnGamma: number
  private counts = new Float64Array(0)
  /** Bucket index held by `counts[0]`. */
  private offset = 0
  /** Lowest and highest non-empty bucket indices (valid when `indexedCount > 0`). */
  private minIndex = 0
  private maxIndex = 0
  private indexedCount = 0
  private zeroCount = 0
  private collapsed = false

  constructor(options: LatencySketchOptions = {}) {
    const accuracy = options.relativeAccuracy ?? 0.01
    const maxBuckets = options.maxBuckets ?? 2048
    if (!(accuracy > 0 && accuracy < 1)) {
      throw new FlagsError(
        'INVALID_ARGUMENT',
        `relativeAccuracy must be in (0, 1), got ${accuracy}`,
      )
    }
    if (!(Number.isInteger(maxBuckets) && maxBuckets >= 2)) {
      throw new FlagsError(
        'INVALID_ARGUMENT',
        `maxBuckets must be an integer ≥ 2, got ${maxBuckets}`,
      )
    }
    this.relativeAccuracy = accuracy
    this.maxBuckets = maxBuckets
    this.gamma = (1 + accuracy) / (1 - accuracy)
    this.lnGamma = Math.log(this.gamma)
  }

  get count(): number {
    return this.indexedCount + this.zeroCount
  }

  /** Buckets allocated (the memory held is 8 bytes each). */
  get bucketCapacity(): number {
    return this.counts.length
  }

  /** The bucket index of a value > MIN_INDEXABLE. */
  indexOf(x: number): number {
    return Math.ceil(Math.log(x) / this.lnGamma)
  }

  /** Adds `x` (ms) `n` times; negative, NaN and infinite values are ignored. */
  add(x: number, n = 1): void {
    if (!(x >= 0 && x < Infinity) || !(n > 0)) return
    if (x <= MIN_INDEXABLE) this.zeroCount += n
    else this.addBucket(this.indexOf(x), n)
  }

  /** Adds `n` values to bucket `index` directly (for merges and simulators). */
  addBucket(index: number, n: number): void {
    if (!(n > 0)) return
    const slot = this.slotFor(index)
    this.counts[slot] = (this.counts[slot] ?? 0) + n
    this.indexedCount += n
  }

  /**
   * Adds `counts[i]` values to bucket `firstIndex + i` for i in [from, to]: a histogram at once
   * (for simulators).
   */
  addCounts(firstIndex: number, counts: ArrayLike<number>, from = 0, to = counts.length - 1): void {
    while (from <= to && !((counts[from] ?? 0) > 0)) from++
    while (to >= from && !((counts[to] ?? 0) > 0)) to--
    if (from > to) return
    // The two ends settle the range (growing or collapsing once); the rest are plain adds.
    this.addBucket(firstIndex + from, counts[from] ?? 0)
    if (to === from) return
    this.addBucket(firstIndex + to, counts[to] ?? 0)
    const target = this.counts
    // Below a collapsed range everything lands in the lowest bucket.
    const lowest = this.minIndex - this.offset
    const shift = firstIndex - this.offset
    let added = 0
    for (let i = from + 1; i < to; i++) {
      const n = counts[i] ?? 0
      if (!(n > 0)) continue
      const slot = Math.max(shift + i, lowest)
      target[slot] = (target[slot] ?? 0) + n
      added += n
    }
    this.indexedCount += added
  }

  /** Adds every value of `other` (same relative accuracy) to this sketch. */
  merge(other: LatencySketch): void {
    if (other.gamma !== this.gamma) {
      throw new FlagsError('INVALID_ARGUMENT', 'cannot merge sketches of different accuracy')
    }
    this.zeroCount += other.zeroCount
    if (other.indexedCount === 0) return
    for (let i = other.maxIndex; i >= other.minIndex; i--) {
      const n = other.counts[i - other.offset] ?? 0
      if (n > 0) this.addBucket(i, n)
    }
    this.collapsed ||= other.collapsed
  }

  /** Forgets every value; keeps the allocated buckets for reuse. */
  clear(): void {
    this.counts.fill(0)
    this.indexedCount = 0
    this.zeroCount = 0
    this.collapsed = false
  }

  clone(): LatencySketch {
    const copy = new LatencySketch({
      relativeAccuracy: this.relativeAccuracy,
      maxBuckets: this.maxBuckets,
    })
    copy.merge(this)
    return copy
  }

  quantile(q: number): number {
    const total = this.count
    if (total === 0 || !(q >= 0 && q <= 1)) return NaN
    const rank = q * (total - 1)
    if (rank < this.zeroCount) return 0
    // The value at `rank` is the first whose cumulative count exceeds it; high quantiles are
    // found faster from the top (the first bucket whose count from the top reaches total − rank).
    let index = this.maxIndex
    if (q > 0.5) {
      const fromTop = total - rank
      let seen = 0
      for (let i = this.maxIndex; i >= this.minIndex; i--) {
        const n = this.counts[i - this.offset] ?? 0
        if (seen + n >= fromTop && n > 0) {
          index = i
          break
        }
        seen += n
      }
    } else {
      let seen = this.zeroCount
      for (let i = this.minIndex; i <= this.maxIndex; i++) {
        seen += this.counts[i - this.offset] ?? 0
        if (seen > rank) {
          index = i
          break
        }
      }
    }
    return (2 * Math.exp(index * this.lnGamma)) / (this.gamma + 1)
  }

  countAbove(x: number): number {
    if (this.indexedCount === 0) return 0
    if (x < 0) return this.count
    const from = x <= MIN_INDEXABLE ? -Infinity : this.indexOf(x) + 1
    return this.sumFrom(from)
  }

  countAtOrAbove(x: number): number {
    if (x <= MIN_INDEXABLE) return this.count
    if (this.indexedCount === 0) return 0
    return this.sumFrom(this.indexOf(x))
  }

  rankFromTop(k: number): { readonly lower: number; readonly upper: number } {
    if (!(k >= 1) || k > this.count) return { lower: 0, upper: Infinity }
    let seen = 0
    if (this.indexedCount > 0) {
      for (let i = this.maxIndex; i >= this.minIndex; i--) {
        seen += this.counts[i - this.offset] ?? 0
        if (seen >= k) {
          const lowest = this.collapsed && i === this.minIndex
          return {
            lower: lowest ? 0 : Math.exp((i - 1) * this.lnGamma),
            upper: Math.exp(i * this.lnGamma),
          }
        }
      }
    }
    return { lower: 0, upper: MIN_INDEXABLE }
  }

  private sumFrom(index: number): number {
    let sum = 0
    const from = Math.max(index, this.minIndex)
    for (let i = this.maxIndex; i >= from; i--) sum += this.counts[i - this.offset] ?? 0
    return sum
  }

  /** The array slot for `index`, growing (or collapsing the lowest buckets) when needed. */
  private slotFor(index: number): number {
    if (this.indexedCount === 0) {
      if (this.counts.length === 0) this.counts = new Float64Array(INITIAL_BUCKETS)
      this.offset = index - (this.counts.length >> 1)
      this.minIndex = index
      this.maxIndex = index
      return index - this.offset
    }
    if (this.collapsed && index < this.minIndex) index = this.minIndex
    if (index < this.offset || index >= this.offset + this.counts.length) this.reshape(index)
    if (index < this.minIndex) {
      if (this.collapsed) index = this.minIndex
      else this.minIndex = index
    }
    if (index > this.maxIndex) this.maxIndex = index
    return index - this.offset
  }

  /** Reallocates so that `index` fits, collapsing the lowest buckets beyond `maxBuckets`. */
  private reshape(index: number): void {
    const high = Math.max(this.maxIndex, index)
    let low = Math.min(this.minIndex, index)
    if (high - low + 1 > this.maxBuckets) {
      low = high - this.maxBuckets + 1
      this.collapsed = true
    }
    const span = high - low + 1
    let capacity = Math.max(this.counts.length, INITIAL_BUCKETS)
    while (capacity < span) capacity *= 2
    capacity = Math.min(capacity, this.maxBuckets)
    // Headroom goes to the side that grew, so a drift keeps growing cheaply.
    const offset = index > this.maxIndex ? low : high - capacity + 1
    const next = new Float64Array(capacity)
    for (let i = this.minIndex; i <= this.maxIndex; i++) {
      const n = this.counts[i - this.offset] ?? 0
      if (n === 0) continue
      const target = Math.max(i, low) - offset
      next[target] = (next[target] ?? 0) + n
    }
    this.counts = next
    this.offset = offset
    if (low > this.minIndex) this.minIndex = low
  }
}
