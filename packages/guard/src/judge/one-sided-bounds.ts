import { logBeta } from './special-functions.js'

/*
 * One-sided anytime-valid bounds on a Bernoulli rate, for the rate criteria's decisions: a
 * rollback needs only the canary's lower bound and the baseline's upper bound, a pass only the
 * other two, so each bound may spend its whole α on its own side.
 *
 * To test "rate ≤ m" the e-process mixes the likelihood ratio against m over the alternatives
 * p > m only, with the prior Beta(1, b) truncated to (m, 1):
 *   E⁺_n(m) = ∫_{p>m} p^y (1−p)^(n−y) dπ(p) / (π(p > m) · m^y (1−m)^(n−y)).
 * Every component p > m is a supermartingale under any true rate ≤ m, so E⁺ is one too, and by
 * Ville's inequality P(∃n: E⁺_n(m) ≥ 1/α) ≤ α: the lower bound sits at the edge of the rejected
 * region. E⁻ (alternatives p < m) gives the upper bound. Compared with the two-sided mixture, the
 * truncation stops wasting prior mass on the side that cannot reject, which matters most for the
 * baseline: Beta(1, b) has little mass below its small rates, so its upper bound tightens most.
 *
 * E⁺(m) = E(m) · P_post(p > m) / π(p > m), with E the untruncated mixture (closed form) and
 * P_post the Beta(1 + y, b + n − y) posterior. The posterior tail is bounded from the safe side
 * (DLMF 8.17.8, its hypergeometric series bounded by a geometric one), so the computed e-value
 * never exceeds the true one. With a = 1 the prior tail is exact: π(p > m) = (1 − m)^b.
 * Each bound is searched only where the e-value is provably monotone in m, so the returned bound
 * is always on the rejected side of an exact boundary: every rate beyond it is rejected too.
 */

/** A Beta(1, b) prior: b ≈ the number of calls one expects per bad event, a priori. */
export const ONE_SIDED_PRIOR_B = 20

interface Posterior {
  readonly y: number
  readonly n: number
  readonly b: number
  /** The posterior Beta(a1, b1) = Beta(1 + y, b + n − y). */
  readonly a1: number
  readonly b1: number
  /** ln B(a1, b1). */
  readonly logPost: number
  /** ln of the untruncated mixture's constant: ln B(a1, b1) − ln B(1, b). */
  readonly logMix: number
  /** ln a1, ln b1: the tail bounds' first-term denominators. */
  readonly logA1: number
  readonly logB1: number
}

function posterior(y: number, n: number, b: number): Posterior {
  const a1 = 1 + y
  const b1 = b + n - y
  const logPost = logBeta(a1, b1)
  return {
    y,
    n,
    b,
    a1,
    b1,
    logPost,
    logMix: logPost + Math.log(b),
    logA1: Math.log(a1),
    logB1: Math.log(b1),
  }
}

/*
 * The e-values below take m with lm = ln m and l1m = ln(1 − m), which the root finders already
 * have, so each evaluation costs a handful of logarithms.
 */

/** ln of the untruncated mixture e-value against m. */
function logMixture(p: Posterior, lm: number, l1m: number): number {
  return p.logMix - p.y * lm - (p.n - p.y) * l1m
}

/**
 * An upper bound on ln I_x(a, b), the Beta(a, b) mass below x (DLMF 8.17.8): the series'
 * first term x^a (1 − x)^b / (a B(a, b)) times the geometric sum of a bound on its term ratio.
 * 0 (no information) when that sum diverges.
 */
function logLowerTailBound(
  x: number,
  a: number,
  b: number,
  lx: number,
  l1x: number,
  logA: number,
  logB: number,
): number {
  const ratio = (x * Math.max(a + b, a + 1)) / (a + 1)
  if (ratio >= 1) return 0
  return Math.min(0, a * lx + b * l1x - logA - logB - Math.log1p(-ratio))
}

/** ln(1 − e^t) for t ≤ 0; −Infinity at t = 0. */
function log1mExp(t: number): number {
  return t > -0.693 ? Math.log(-Math.expm1(t)) : Math.log1p(-Math.exp(t))
}

/** A lower bound on ln E⁺(m) (alternatives above m). */
export function logEValueAbove(y: number, n: number, m: number, b = ONE_SIDED_PRIOR_B): number {
  return logAbove(posterior(y, n, b), m, Math.log(m), Math.log1p(-m))
}

function logAbove(p: Posterior, m: number, lm: number, l1m: number): number {
  const below = logLowerTailBound(m, p.a1, p.b1, lm, l1m, p.logA1, p.logPost)
  // π(p > m) = (1 − m)^b exactly, as a = 1.
  return logMixture(p, lm, l1m) + log1mExp(below) - p.b * l1m
}

/** A lower bound on ln E⁻(m) (alternatives below m). */
export function logEValueBelow(y: number, n: number, m: number, b = ONE_SIDED_PRIOR_B): number {
  return logBelow(posterior(y, n, b), m, Math.log(m), Math.log1p(-m))
}

function logBelow(p: Posterior, m: number, lm: number, l1m: number): number {
  // The posterior mass above m is the Beta(b1, a1) mass below 1 − m.
  const above = logLowerTailBound(1 - m, p.b1, p.a1, l1m, lm, p.logB1, p.logPost)
  return logMixture(p, lm, l1m) + log1mExp(above) - log1mExp(p.b * l1m)
}

/** A normal-approximation guess of a bound's distance from the estimate: Newton's start. */
function spread(y: number, n: number, level: number): number {
  const rate = (y + 1) / (n + 2)
  return Math.sqrt((2 * (level + 2) * rate * (1 - rate)) / n)
}

/**
 * The rejected end of the boundary of `gap`, a convex function decreasing on (lo, hi) that is
 * ≥ 0 exactly on the rejected side (left). Newton from the non-rejected side lands on the rejected
 * side (the tangent of a convex function lies below it) and then climbs to the root from there,
 * so the answer always has gap ≥ 0. Bisection takes over if a step leaves the bracket.
 */
function rejectedEdge(
  gap: (x: number) => number,
  slope: (x: number) => number,
  x: number,
  lo: number,
  hi: number,
): number {
  for (let i = 0; i < 100; i++) {
    const g = gap(x)
    if (g >= 0) {
      lo = x
      if (g < 1e-6) break
    } else hi = x
    const next = x - g / slope(x)
    x = next > lo && next < hi ? next : Number.isFinite(lo) ? (lo + hi) / 2 : hi - 1
    if (Number.isFinite(lo) && hi - lo <= 1e-7 * Math.abs(lo)) break
  }
  return lo
}

/**
 * The largest rate every smaller rate of which is rejected at level α: for all n at once,
 * P(true rate < bound) ≤ α. `y` and `n` may be fractional (effective counts).
 *
 * @example
 * lowerRateBound(12, 100, 0.05) // ≈ 0.05: 12 errors in 100 calls, the rate is above 5 %
 */
export function lowerRateBound(y: number, n: number, alpha: number, b = ONE_SIDED_PRIOR_B): number {
  if (!(n > 0) || !(y > 0)) return 0
  y = Math.min(y, n)
  const p = posterior(y, n, b)
  const level = -Math.log(alpha)
  // E⁺ decreases in m on (0, y / (n + b)]: the mixture's slope is (n·m − y)/(m(1 − m)), the
  // prior tail adds b/(1 − m) and the posterior tail only pushes further down.
  const edge = y / (n + b)
  if (logAbove(p, edge, Math.log(edge), Math.log1p(-edge)) >= level) return edge
  // In u = ln m; the slope leaves out the posterior tail term, which is negligible here.
  const u = rejectedEdge(
    (x) => {
      const m = Math.exp(x)
      return logAbove(p, m, x, Math.log1p(-m)) - level
    },
    (x) => {
      const m = Math.exp(x)
      return ((n + b) * m - y) / (1 - m)
    },
    Math.log(Math.max(edge - spread(y, n, level), edge / 4)),
    -Infinity,
    Math.log(edge),
  )
  return Math.exp(u)
}

/**
 * The smallest rate every larger rate of which is rejected at level α: for all n at once,
 * P(true rate > bound) ≤ α. With this prior the bound is informative for small rates only: near
 * a rate of 1 it may stay at 1 (the rule that reads it, a pass, needs a small rate anyway).
 *
 * @example
 * upperRateBound(0, 1000, 0.05) // ≈ 0.002: no error in 1,000 calls
 */
export function upperRateBound(y: number, n: number, alpha: number, b = ONE_SIDED_PRIOR_B): number {
  if (!(n > 0)) return 1
  y = Math.max(0, Math.min(y, n))
  if (y >= n) return 1
  const p = posterior(y, n, b)
  const level = -Math.log(alpha)
  // E⁻ increases in m on [(y + 1)/(n + 1), 1): the mixture's slope (n·m − y)/(m(1 − m)) beats
  // the prior tail's, which is at most 1/m, and the posterior tail only pushes further up.
  const edge = (y + 1) / (n + 1)
  if (logBelow(p, edge, Math.log(edge), Math.log1p(-edge)) >= level) return edge
  // In v = ln(1 − m), where E⁻ decreases and is convex; the slope leaves out the posterior tail.
  const v = rejectedEdge(
    (x) => {
      const m = -Math.expm1(x)
      return logBelow(p, m, Math.log(m), x) - level
    },
    (x) => {
      const m = -Math.expm1(x)
      const tail = Math.exp(b * x)
      return (y - n * m) / m + (b * tail) / (1 - tail)
    },
    Math.log1p(-Math.min(edge + spread(y, n, level), 1 - (1 - edge) / 4)),
    -Infinity,
    Math.log1p(-edge),
  )
  return -Math.expm1(v)
}
