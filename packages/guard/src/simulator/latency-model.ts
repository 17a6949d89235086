/*
 * Latency as a log-normal fitted to a p50 and a p99 (mu = ln p50, sigma = (ln p99 − ln p50) /
 * z_0.99), sampled straight into sketch bucket indices: bucket i of a sketch with ratio gamma
 * holds (gamma^(i−1), gamma^i], whose probability is a difference of normal CDFs in log space.
 * Vose's alias table, padded to a power of two, then draws a bucket from one 32-bit random
 * number with integer operations only: the top bits pick a column, the rest decide between the
 * column and its alias — no logarithm and no floating point per simulated call.
 */

const Z99 = 2.326347874
/** Buckets cover mu ± 6.5 sigma; the rest (< 1e-10) is folded into the edge buckets. */
const SPAN_SIGMAS = 6.5

/** An alias table over 2^bits columns, as `Random.drawAlias` reads it. */
export interface AliasTable {
  readonly bits: number
  /** Column j keeps itself when the low 32 − bits bits are below `keep[j]`. */
  readonly keep: Uint32Array
  readonly alias: Int32Array
}

/** A latency distribution as a table of sketch bucket indices. */
export class LatencyModel {
  /** The first bucket index the model can produce, and how many follow it. */
  readonly firstIndex: number
  readonly size: number
  readonly table: AliasTable

  constructor(p50: number, p99: number, lnGamma: number) {
    const mu = Math.log(p50)
    const sigma = Math.max((Math.log(p99) - mu) / Z99, 1e-9)
    this.firstIndex = Math.ceil((mu - SPAN_SIGMAS * sigma) / lnGamma)
    const lastIndex = Math.max(this.firstIndex, Math.ceil((mu + SPAN_SIGMAS * sigma) / lnGamma))
    this.size = lastIndex - this.firstIndex + 1
    const bits = Math.max(1, Math.ceil(Math.log2(this.size)))
    const weights = new Float64Array(1 << bits)
    let below = 0
    for (let j = 0; j < this.size; j++) {
      const upper =
        j === this.size - 1 ? 1 : normalCdf(((this.firstIndex + j) * lnGamma - mu) / sigma)
      weights[j] = Math.max(upper - below, 0)
      below = Math.max(below, upper)
    }
    const [probability, alias] = aliasTable(weights)
    const scale = 2 ** (32 - bits)
    const keep = Uint32Array.from(probability, (p) => Math.min(scale, Math.round(p * scale)))
    this.table = { bits, keep, alias }
  }
}

/** Vose's alias method: O(size) to build, O(1) per draw. */
function aliasTable(weights: Float64Array): [Float64Array, Int32Array] {
  const n = weights.length
  const total = weights.reduce((sum, w) => sum + w, 0)
  const probability = new Float64Array(n)
  const alias = new Int32Array(n)
  const scaled = Float64Array.from(weights, (w) => (w * n) / total)
  const small: number[] = []
  const large: number[] = []
  scaled.forEach((w, i) => (w < 1 ? small : large).push(i))
  for (;;) {
    const s = small.pop()
    const l = large.pop()
    if (s === undefined || l === undefined) {
      for (const i of [
        ...small,
        ...large,
        ...(s === undefined ? [] : [s]),
        ...(l === undefined ? [] : [l]),
      ]) {
        probability[i] = 1
        alias[i] = i
      }
      return [probability, alias]
    }
    probability[s] = scaled[s] ?? 0
    alias[s] = l
    const rest = (scaled[l] ?? 0) + (scaled[s] ?? 0) - 1
    scaled[l] = rest
    ;(rest < 1 ? small : large).push(l)
  }
}

/** Φ(x), via erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2
  const t = 1 / (1 + 0.5 * z)
  const tail =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  return x >= 0 ? 1 - tail / 2 : tail / 2
}
