import { logGamma } from '../judge/special-functions.js'
import type { AliasTable } from './latency-model.js'

/*
 * A seeded generator for the simulator: sfc32 (Chris Doty-Humphrey's small fast chaotic PRNG,
 * passes PractRand) with exact Poisson and binomial samplers, so a tick's traffic is a handful of
 * draws instead of one per call: multiplication / waiting-time inversion for small means, and
 * Hörmann's transformed rejection (PTRS, BTRS; 1993) above.
 */

/** Derives run `index`'s seed from a simulation seed (splitmix32), so runs are independent. */
export function runSeed(seed: number, index: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b9) + Math.imul(index + 1, 0x85ebca6b)) | 0
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad)
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97)
  return (z ^ (z >>> 15)) >>> 0
}

/** A histogram the alias sampler counts into, with the range it touched so far. */
export interface HistogramTarget {
  readonly histogram: Int32Array
  low: number
  high: number
}

/**
 * A deterministic random source.
 *
 * @example
 * const random = new Random(42)
 * random.binomial(500, 0.01) // errors among 500 calls
 */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    for (let i = 0; i < 16; i++) this.next()
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /**
   * Draws `count` values from an alias table and counts them into
   * `target.histogram[offset + value]`, widening `target.low`/`target.high` to what was touched;
   * the generator's state stays in locals for the whole batch (the simulator's hottest loop).
   */
  drawAlias(table: AliasTable, count: number, target: HistogramTarget, offset = 0): void {
    const { keep, alias } = table
    const histogram = target.histogram
    const shift = 32 - table.bits
    const low = shift === 32 ? 0xffffffff : (1 << shift) - 1
    let min = Infinity
    let max = -Infinity
    let { a, b, c, d } = this
    for (let i = 0; i < count; i++) {
      const t = (((a + b) | 0) + d) | 0
      d = (d + 1) | 0
      a = b ^ (b >>> 9)
      b = (c + (c << 3)) | 0
      c = (c << 21) | (c >>> 11)
      c = (c + t) | 0
      const column = t >>> shift
      const slot =
        offset + ((t & low) >>> 0 < (keep[column] ?? 0) ? column : (alias[column] ?? column))
      histogram[slot] = (histogram[slot] ?? 0) + 1
      if (slot < min) min = slot
      if (slot > max) max = slot
    }
    this.a = a
    this.b = b
    this.c = c
    this.d = d
    if (min < target.low) target.low = min
    if (max > target.high) target.high = max
  }

  /** A Poisson(mean) count. */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0
    if (mean < 12) {
      const limit = Math.exp(-mean)
      let k = 0
      let product = this.next()
      while (product > limit) {
        k++
        product *= this.next()
      }
      return k
    }
    return this.poissonPtrs(mean)
  }

  /** A Binomial(n, p) count. */
  binomial(n: number, p: number): number {
    if (!(n > 0) || !(p > 0)) return 0
    if (p >= 1) return n
    const flip = p > 0.5
    const q = flip ? 1 - p : p
    const k = n * q < 12 ? this.binomialInversion(n, q) : this.binomialBtrs(n, q)
    return flip ? n - k : k
  }

  /** Counts successes by summing geometric waiting times: O(n·p) work. */
  private binomialInversion(n: number, p: number): number {
    const logQ = Math.log1p(-p)
    let successes = 0
    let position = 0
    for (;;) {
      position += Math.floor(Math.log(1 - this.next()) / logQ) + 1
      if (position > n) return successes
      successes++
    }
  }

  private binomialBtrs(n: number, p: number): number {
    const spq = Math.sqrt(n * p * (1 - p))
    const b = 1.15 + 2.53 * spq
    const a = -0.0873 + 0.0248 * b + 0.01 * p
    const c = n * p + 0.5
    const vr = 0.92 - 4.2 / b
    const alpha = (2.83 + 5.1 / b) * spq
    const logOdds = Math.log(p / (1 - p))
    const m = Math.floor((n + 1) * p)
    const h = logGamma(m + 1) + logGamma(n - m + 1)
    for (;;) {
      const u = this.next() - 0.5
      const v = this.next()
      const us = 0.5 - Math.abs(u)
      const k = Math.floor(((2 * a) / us + b) * u + c)
      if (k < 0 || k > n) continue
      if (us >= 0.07 && v <= vr) return k
      const lhs = Math.log((v * alpha) / (a / (us * us) + b))
      if (lhs <= h - logGamma(k + 1) - logGamma(n - k + 1) + (k - m) * logOdds) return k
    }
  }

  private poissonPtrs(mean: number): number {
    const slam = Math.sqrt(mean)
    const logMean = Math.log(mean)
    const b = 0.931 + 2.53 * slam
    const a = -0.059 + 0.02483 * b
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4)
    const vr = 0.9277 - 3.6224 / (b - 2)
    for (;;) {
      const u = this.next() - 0.5
      const v = this.next()
      const us = 0.5 - Math.abs(u)
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43)
      if (us >= 0.07 && v <= vr) return k
      if (k < 0 || (us < 0.013 && v > us)) continue
      const lhs = Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b)
      if (lhs <= -mean + k * logMean - logGamma(k + 1)) return k
    }
  }
}
