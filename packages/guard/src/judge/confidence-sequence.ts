import { digamma, logBeta } from './special-functions.js'

/*
 * Anytime-valid confidence sequences for a Bernoulli rate from the conjugate (beta-binomial)
 * mixture martingale (Robbins 1970; Howard, Ramdas, McAuliffe & Sekhon 2021, §3). For a null rate
 * m, E_n(m) = ∫ p^y (1−p)^(n−y) dBeta(p; a, b) / (m^y (1−m)^(n−y)) is a nonnegative martingale
 * under m, so by Ville's inequality P(∃n: E_n(m) ≥ 1/α) ≤ α: the set {m : E_n(m) < 1/α} covers
 * the true rate at every n simultaneously — the guard may look after every call. Exact for
 * independent calls (no normal approximation), so it stays honest with a handful of errors.
 */

/** A Beta(a, b) mixing distribution over the rate. */
export interface BetaPrior {
  readonly a: number
  readonly b: number
  /** ln B(a, b), computed once. */
  readonly logNorm: number
}

/** A {@link BetaPrior}. */
export function betaPrior(a: number, b: number): BetaPrior {
  return { a, b, logNorm: logBeta(a, b) }
}

/**
 * For rates of bad events (errors, failed tool results, slow calls): most of its mass on small
 * rates, where those live, so a few events already count as evidence.
 */
export const RARE_EVENT_PRIOR: BetaPrior = betaPrior(0.5, 3)

/** Jeffreys' prior, for shares that can be anywhere in (0, 1) (the sample-ratio check). */
export const JEFFREYS_PRIOR: BetaPrior = betaPrior(0.5, 0.5)

/** Confidence bounds on a rate. */
export interface Bounds {
  readonly lower: number
  readonly upper: number
}

/** ln E_n(m): the log mixture e-value against rate `m` after `y` events in `n` trials. */
export function logEValue(y: number, n: number, m: number, prior: BetaPrior): number {
  const { a, b } = prior
  return logBeta(a + y, b + n - y) - prior.logNorm - y * Math.log(m) - (n - y) * Math.log1p(-m)
}

/**
 * Bounds that hold for every n at once with probability ≥ 1 − α. `y` and `n` may be fractional
 * (effective counts after a design-effect correction).
 */
export function rateBounds(y: number, n: number, alpha: number, prior: BetaPrior): Bounds {
  if (!(n > 0)) return { lower: 0, upper: 1 }
  y = Math.min(Math.max(y, 0), n)
  // m is in the sequence iff y·ln m + (n − y)·ln(1 − m) > level.
  const level = logBeta(prior.a + y, prior.b + n - y) - prior.logNorm + Math.log(alpha)
  return { lower: lowerRoot(y, n, level), upper: 1 - lowerRoot(n - y, n, level) }
}

/**
 * The smaller root of h(m) = y·ln m + (n − y)·ln(1 − m) = level, found by Halley's method in
 * u = ln m (h is concave in u, steep on the left, flat at its peak), started from the quadratic
 * approximation around the peak: two or three steps reach 1e-9.
 */
function lowerRoot(y: number, n: number, level: number): number {
  if (y <= 0) return 0
  const rest = n - y
  if (rest <= 1e-12) return Math.exp(Math.min(0, level / y))
  const peak = Math.log(y / n)
  const top = y * peak + rest * Math.log1p(-y / n)
  if (top <= level) return y / n
  let u = peak - Math.sqrt((2 * (top - level) * rest) / (y * n))
  for (let i = 0; i < 50; i++) {
    const e = Math.exp(u)
    const gap = y * u + rest * Math.log1p(-e) - level
    if (Math.abs(gap) <= 1e-9) break
    const odds = e / (1 - e)
    const slope = y - rest * odds
    const curve = -rest * odds * (1 + odds)
    const step = slope > 0 ? (2 * gap * slope) / (2 * slope * slope - gap * curve) : 1
    u = Math.min(u - step, peak - 1e-12)
  }
  return Math.exp(u)
}

/** Where a count of events at a known rate stops being plausible: `lo < y < hi` is. */
export interface CountBounds {
  /** −Infinity when no count is too low yet. */
  readonly lo: number
  /** +Infinity when no count is too high yet. */
  readonly hi: number
}

/**
 * The time-uniform (1 − α) range of the number of events among `n` trials at rate `p0` (the same
 * sequence as {@link rateBounds}, solved for the count). Used for order-statistic bounds on a
 * quantile: the count of values above the true q-quantile is such a count with p0 = 1 − q.
 */
export function countBounds(n: number, p0: number, alpha: number, prior: BetaPrior): CountBounds {
  if (!(n > 0)) return { lo: -Infinity, hi: Infinity }
  const base = -prior.logNorm + Math.log(alpha)
  const lp = Math.log(p0)
  const lq = Math.log1p(-p0)
  // g(y) ≥ 0 means "implausible"; g is convex in y, its minimum near y = n·p0.
  const g = (y: number): number =>
    logBeta(prior.a + y, prior.b + n - y) + base - y * lp - (n - y) * lq
  const slope = (y: number): number => digamma(prior.a + y) - digamma(prior.b + n - y) - lp + lq
  // Start Newton from a normal-approximation guess a little outside each root when it is
  // outside (g ≥ 0); otherwise from the far end, which always is.
  const mean = n * p0
  const spread =
    Math.sqrt(mean * (1 - p0)) * Math.sqrt(2 * (-Math.log(alpha) + 0.5 * Math.log(1 + n) + 1))
  const above = Math.min(n, mean + spread)
  const below = Math.max(0, mean - spread)
  return {
    lo: g(0) < 0 ? -Infinity : newtonFromOutside(g, slope, g(below) >= 0 ? below : 0, 0, n),
    hi: g(n) < 0 ? Infinity : newtonFromOutside(g, slope, g(above) >= 0 ? above : n, 0, n),
  }
}

/** Newton's method on a convex function from a point outside its root: monotone convergence. */
function newtonFromOutside(
  f: (y: number) => number,
  slope: (y: number) => number,
  start: number,
  min: number,
  max: number,
): number {
  let y = start
  for (let i = 0; i < 200; i++) {
    const d = slope(y)
    if (d === 0) break
    const step = f(y) / d
    y = Math.min(max, Math.max(min, y - step))
    if (Math.abs(step) <= 1e-9 * Math.max(1, y)) break
  }
  return y
}
