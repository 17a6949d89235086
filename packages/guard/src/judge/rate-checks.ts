import type { CheckResult } from '../types.js'
import type { ClusterMoments, VariantMetrics } from '../metrics/metrics-snapshot.js'
import type { Bounds } from './confidence-sequence.js'
import { lowerRateBound, upperRateBound } from './one-sided-bounds.js'
import { percent, points } from './format.js'

/** How α is split between the two variants' sequences (their errors add up to α). */
export interface AlphaSplit {
  readonly canary: number
  readonly baseline: number
}

/** A check plus whether both variants had data for it at all. */
export interface JudgedCheck {
  readonly check: CheckResult
  readonly measured: boolean
}

/**
 * Kish's design effect of a ratio y/n from per-session sums: the cluster-robust variance over the
 * independent-calls variance, never below 1 (calls of one session are positively correlated far
 * more often than not, and a noisy estimate below 1 would make the judge overconfident).
 */
export function designEffect(moments: ClusterMoments | undefined, y: number, n: number): number {
  if (moments === undefined || moments.clusters < 2 || !(n > 0)) return 1
  const p = y / n
  if (p <= 0 || p >= 1) return 1
  const k = moments.clusters
  const spread = moments.sumYY - 2 * p * moments.sumYM + p * p * moments.sumMM
  const deff = ((k / (k - 1)) * spread) / (n * p * (1 - p))
  return Number.isFinite(deff) ? Math.min(Math.max(deff, 1), n) : 1
}

/**
 * One-sided bounds on a variant's bad-event rate, on effective counts y/deff, n/deff. Each side
 * holds at level α on its own: a rollback reads only the canary's lower and the baseline's upper
 * bound, a pass only the other two, so each decision's error stays within the criterion's α.
 */
function boundsOf(bad: number, n: number, deff: number, alpha: number): Bounds {
  return {
    lower: lowerRateBound(bad / deff, n / deff, alpha),
    upper: upperRateBound(bad / deff, n / deff, alpha),
  }
}

interface RateSide {
  readonly bad: number
  readonly n: number
  readonly deff: number
}

/**
 * The shared core of both rate criteria, on bad-event rates r (errors, or calls not successful):
 * fail when the canary's lower bound exceeds the limit computed from the baseline's upper bound,
 * pass when the canary's upper bound is below the limit from the baseline's lower bound.
 */
function judgeBadRate(
  baseline: RateSide,
  canary: RateSide,
  limit: (baselineRate: number) => number,
  alpha: AlphaSplit,
): { verdict: CheckResult['verdict']; b: Bounds; c: Bounds; rb: number; rc: number } {
  const b = boundsOf(baseline.bad, baseline.n, baseline.deff, alpha.baseline)
  const c = boundsOf(canary.bad, canary.n, canary.deff, alpha.canary)
  const verdict =
    c.lower > limit(b.upper) ? 'fail' : c.upper < limit(b.lower) ? 'pass' : 'inconclusive'
  return { verdict, b, c, rb: baseline.bad / baseline.n, rc: canary.bad / canary.n }
}

function deffNote(b: number, c: number): string {
  return b > 1.05 || c > 1.05
    ? `; sessions correlate calls (design effect baseline ${b.toFixed(2)}, canary ${c.toFixed(2)})`
    : ''
}

/** Error rate: canary ≤ baseline + maxIncrease and/or ≤ maxRatio × baseline. */
export function checkErrorRate(
  baseline: VariantMetrics,
  canary: VariantMetrics,
  spec: { readonly maxIncrease?: number; readonly maxRatio?: number },
  alpha: AlphaSplit,
): JudgedCheck {
  const { maxIncrease, maxRatio } = spec
  // The allowed increase over a baseline rate: the stricter of the configured forms.
  const allowance = (rate: number): number =>
    Math.min(maxIncrease ?? Infinity, maxRatio === undefined ? Infinity : (maxRatio - 1) * rate)
  const limit = (rate: number): number => rate + allowance(rate)
  const rule = [
    ...(maxIncrease === undefined ? [] : [`baseline ${points(maxIncrease)}`]),
    ...(maxRatio === undefined ? [] : [`${maxRatio} × baseline`]),
  ].join(' and ≤ ')
  if (baseline.calls === 0 || canary.calls === 0) {
    return unmeasured('error-rate', `no calls yet; allowed: canary ≤ ${rule}`)
  }
  const bd = designEffect(baseline.errorMoments, baseline.errors, baseline.calls)
  const cd = designEffect(canary.errorMoments, canary.errors, canary.calls)
  const r = judgeBadRate(
    { bad: baseline.errors, n: baseline.calls, deff: bd },
    { bad: canary.errors, n: canary.calls, deff: cd },
    limit,
    alpha,
  )
  return {
    measured: true,
    check: {
      criterion: 'error-rate',
      verdict: r.verdict,
      estimate: r.rc - r.rb,
      lower: r.c.lower - r.b.upper,
      upper: r.c.upper - r.b.lower,
      threshold: allowance(r.rb),
      detail:
        `canary ${percent(r.rc)} [${percent(r.c.lower)}, ${percent(r.c.upper)}] vs baseline ` +
        `${percent(r.rb)} [${percent(r.b.lower)}, ${percent(r.b.upper)}]; allowed: canary ≤ ${rule}` +
        deffNote(bd, cd),
    },
  }
}

/** Tool success: canary ≥ baseline − maxDecrease, over calls that carried a verdict. */
export function checkSuccessRate(
  baseline: VariantMetrics,
  canary: VariantMetrics,
  spec: { readonly maxDecrease: number },
  alpha: AlphaSplit,
): JudgedCheck {
  const allowed = `canary ≥ baseline ${points(-spec.maxDecrease)}`
  if (baseline.successObserved === 0 || canary.successObserved === 0) {
    return unmeasured('success-rate', `no success verdicts yet; allowed: ${allowed}`)
  }
  const bd = designEffect(baseline.successMoments, baseline.successes, baseline.successObserved)
  const cd = designEffect(canary.successMoments, canary.successes, canary.successObserved)
  const r = judgeBadRate(
    { bad: baseline.successObserved - baseline.successes, n: baseline.successObserved, deff: bd },
    { bad: canary.successObserved - canary.successes, n: canary.successObserved, deff: cd },
    (rate) => rate + spec.maxDecrease,
    alpha,
  )
  // Reported as success rates: success = 1 − bad, so the bounds swap sides.
  return {
    measured: true,
    check: {
      criterion: 'success-rate',
      verdict: r.verdict,
      estimate: r.rb - r.rc,
      lower: r.b.lower - r.c.upper,
      upper: r.b.upper - r.c.lower,
      threshold: -spec.maxDecrease,
      detail:
        `canary ${percent(1 - r.rc)} [${percent(1 - r.c.upper)}, ${percent(1 - r.c.lower)}] vs ` +
        `baseline ${percent(1 - r.rb)} [${percent(1 - r.b.upper)}, ${percent(1 - r.b.lower)}]; ` +
        `allowed: ${allowed}${deffNote(bd, cd)}`,
    },
  }
}

export function unmeasured(criterion: CheckResult['criterion'], detail: string): JudgedCheck {
  return {
    measured: false,
    check: {
      criterion,
      verdict: 'inconclusive',
      estimate: NaN,
      lower: NaN,
      upper: NaN,
      threshold: NaN,
      detail,
    },
  }
}
