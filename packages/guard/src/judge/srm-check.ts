import type { VariantMetrics } from '../metrics/metrics-snapshot.js'
import { JEFFREYS_PRIOR, logEValue, rateBounds } from './confidence-sequence.js'
import { count, percent } from './format.js'
import { unmeasured, type JudgedCheck } from './rate-checks.js'

/*
 * Sample-ratio mismatch: under correct assignment every new session lands on the canary with
 * probability `share`, independently, so the canary's count of new sessions is binomial. The same
 * mixture e-value as for rates (Jeffreys prior here: the share can be anything) tests that share
 * sequentially — the two-arm case of Lindon & Malek's multinomial test. A mismatch means the
 * assignment (hashing, stickiness, targeting) is broken, so it holds the rollout; it is never a
 * reason to blame the canary.
 */

/** Is the canary's share of new sessions the configured `share` (0..1)? */
export function checkSampleRatio(
  baseline: VariantMetrics,
  canary: VariantMetrics,
  share: number,
  alpha: number,
  sessionsFrom: 'assigned' | 'outcomes',
): JudgedCheck {
  if (sessionsFrom !== 'assigned') {
    return unmeasured('srm', 'no assignment events: the share of sessions cannot be checked')
  }
  const n = baseline.sessions + canary.sessions
  if (n === 0) return unmeasured('srm', 'no sessions assigned yet')
  const { lower, upper } = rateBounds(canary.sessions, n, alpha, JEFFREYS_PRIOR)
  const evidence = Math.exp(logEValue(canary.sessions, n, share, JEFFREYS_PRIOR))
  const mismatch = share < lower || share > upper
  return {
    measured: true,
    check: {
      criterion: 'srm',
      verdict: mismatch ? 'fail' : 'pass',
      estimate: canary.sessions / n,
      lower,
      upper,
      threshold: share,
      detail:
        `canary has ${percent(canary.sessions / n)} of ${count(n, 'new session')} ` +
        `[${percent(lower)}, ${percent(upper)}], expected ${percent(share)}; ` +
        `e-value ${evidence < 1e6 ? evidence.toPrecision(3) : evidence.toExponential(2)} ` +
        `(mismatch at ≥ ${Math.round(1 / alpha)})`,
    },
  }
}
