import type { VariantMetrics } from '../metrics/metrics-snapshot.js'
import { RARE_EVENT_PRIOR, countBounds } from './confidence-sequence.js'
import { lowerRateBound, upperRateBound } from './one-sided-bounds.js'
import { millis, percent } from './format.js'
import { unmeasured, type AlphaSplit, type JudgedCheck } from './rate-checks.js'

/*
 * Tail latency as an exceedance rate. "Canary q-quantile ≤ (1 + δ) × baseline q-quantile" holds
 * exactly when at most a share 1 − q of canary calls is slower than x* = (1 + δ)·Q_b(q). Q_b(q) is
 * unknown, so it is bracketed by anytime order-statistic bounds: the number of baseline calls
 * above Q_b(q) is a binomial count at rate 1 − q, and its time-uniform range (lo, hi) puts
 * Q_b(q) between the ceil(hi)-th and the (floor(lo) + 1)-th largest baseline latency. Then:
 *   fail: the canary's share above (1 + δ)·upper(Q_b) is, with confidence, above 1 − q;
 *   pass: the canary's share at or above (1 + δ)·lower(Q_b) is, with confidence, below 1 − q.
 * Both thresholds err on the canary's side, and the sketch's bucket edges are used the same way.
 */

/** Tail latency: canary `quantile` ≤ (1 + maxIncrease) × baseline `quantile`. */
export function checkLatency(
  baseline: VariantMetrics,
  canary: VariantMetrics,
  spec: { readonly quantile: number; readonly maxIncrease: number },
  alpha: AlphaSplit,
): JudgedCheck {
  const { quantile: q, maxIncrease } = spec
  const factor = 1 + maxIncrease
  const label = `p${formatQuantile(q)}`
  const allowedShare = 1 - q
  const nb = baseline.latency.count
  const nc = canary.latency.count
  const rule = `canary ${label} ≤ ${factor.toFixed(2)} × baseline ${label}`
  if (nb === 0 || nc === 0) return unmeasured('latency', `no latencies yet; allowed: ${rule}`)

  const range = countBounds(nb, allowedShare, alpha.baseline, RARE_EVENT_PRIOR)
  const atLeastAbove = range.lo === -Infinity ? 0 : Math.floor(range.lo) + 1
  const fewerThanAbove = range.hi === Infinity ? nb + 1 : Math.ceil(range.hi)
  const baselineUpper =
    atLeastAbove >= 1 ? baseline.latency.rankFromTop(atLeastAbove).upper : Infinity
  const baselineLower =
    fewerThanAbove <= nb ? baseline.latency.rankFromTop(fewerThanAbove).lower : 0

  const failAbove = factor * baselineUpper
  const slowForFail = Number.isFinite(failAbove) ? canary.latency.countAbove(failAbove) : 0
  const slowForPass = canary.latency.countAtOrAbove(factor * baselineLower)
  const lower = lowerRateBound(slowForFail, nc, alpha.canary)
  const upper = upperRateBound(slowForPass, nc, alpha.canary)

  const qb = baseline.latency.quantile(q)
  const qc = canary.latency.quantile(q)
  const estimate = canary.latency.countAbove(factor * qb) / nc
  const verdict = lower > allowedShare ? 'fail' : upper < allowedShare ? 'pass' : 'inconclusive'
  return {
    measured: true,
    check: {
      criterion: 'latency',
      verdict,
      estimate,
      lower,
      upper,
      threshold: allowedShare,
      detail:
        `canary ${label} ${millis(qc)} vs baseline ${millis(qb)} ` +
        `(${qb > 0 ? `${qc >= qb ? '+' : ''}${(((qc - qb) / qb) * 100).toFixed(1)} %` : 'n/a'}); ` +
        `canary calls slower than ${millis(factor * qb)} (${factor.toFixed(2)} × baseline ${label}): ` +
        `${percent(estimate)} [${percent(lower)}, ${percent(upper)}], allowed ${percent(allowedShare)}`,
    },
  }
}

/** 0.99 → "99", 0.995 → "99.5". */
function formatQuantile(q: number): string {
  return String(Math.round(q * 1000) / 10)
}
