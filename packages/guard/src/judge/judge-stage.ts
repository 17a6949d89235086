import { LatencySketch } from '../metrics/latency-sketch.js'
import type { MetricsSnapshot, VariantMetrics } from '../metrics/metrics-snapshot.js'
import type { CheckResult, VariantSummary } from '../types.js'
import type { ResolvedCriteria } from './criteria.js'
import { count } from './format.js'
import { checkLatency } from './latency-check.js'
import { checkErrorRate, checkSuccessRate, type AlphaSplit } from './rate-checks.js'
import { checkSampleRatio } from './srm-check.js'

/**
 * The canary gets most of each criterion's α: the baseline has far more data, so a smaller α
 * widens its bounds only a little, while the canary's bound decides how soon a regression shows.
 */
const CANARY_SHARE_OF_ALPHA = 0.75

/** Everything the judge found about one stage's evidence. */
export interface StageJudgement {
  /**
   * One check per enabled criterion (error rate, latency, success rate, sample ratio); empty
   * below the minimum sample, where nothing is judged.
   */
  readonly checks: readonly CheckResult[]
  readonly baseline: VariantSummary
  readonly canary: VariantSummary
  /** Present when a variant is below the minimum sample: how many more per variant. */
  readonly needed?: { readonly sessions: number; readonly calls: number }
  /** The shortfall in words: "38 more canary sessions and 410 more canary calls". */
  readonly shortfall?: string
  /** Criteria whose bound lies entirely on the bad side of their limit. */
  readonly failed: readonly CheckResult[]
  /** The sample-ratio check, when it found a mismatch. */
  readonly srmMismatch?: CheckResult
  /** Criteria with data that are not yet shown to be within their limit. */
  readonly unproven: readonly CheckResult[]
}

export interface JudgeInput {
  readonly metrics: MetricsSnapshot
  readonly baseline: string
  readonly canary: string
  readonly criteria: ResolvedCriteria
  /** The canary's configured share of new sessions, 0..1. */
  readonly share: number
}

const EMPTY_SKETCH = new LatencySketch()
const EMPTY: VariantMetrics = {
  calls: 0,
  errors: 0,
  successObserved: 0,
  successes: 0,
  sessions: 0,
  latency: EMPTY_SKETCH,
}

/**
 * Judges one stage's evidence: pure and deterministic (same snapshot, same result).
 *
 * @example
 * const judgement = judgeStage({ metrics, baseline: 'v1', canary: 'v2', criteria, share: 0.01 })
 * judgement.failed.length > 0 // → roll back
 */
export function judgeStage(input: JudgeInput): StageJudgement {
  const { criteria } = input
  const b = input.metrics.variants[input.baseline] ?? EMPTY
  const c = input.metrics.variants[input.canary] ?? EMPTY
  const alpha: AlphaSplit = {
    canary: criteria.alpha * CANARY_SHARE_OF_ALPHA,
    baseline: criteria.alpha * (1 - CANARY_SHARE_OF_ALPHA),
  }
  const shortage = sampleShortage(b, c, criteria)
  if (shortage.needed !== undefined) {
    // Below the minimum sample nothing is judged: the decision is to wait for data.
    return {
      checks: [],
      baseline: summarize(b),
      canary: summarize(c),
      ...shortage,
      failed: [],
      unproven: [],
    }
  }
  const judged = [
    ...(criteria.errorRate === false ? [] : [checkErrorRate(b, c, criteria.errorRate, alpha)]),
    ...(criteria.latency === false ? [] : [checkLatency(b, c, criteria.latency, alpha)]),
    ...(criteria.successRate === false
      ? []
      : [checkSuccessRate(b, c, criteria.successRate, alpha)]),
  ]
  const srm =
    criteria.srm === false || input.share <= 0 || input.share >= 1
      ? undefined
      : checkSampleRatio(b, c, input.share, criteria.srm.alpha, input.metrics.sessionsFrom)
  const applicable = (check: CheckResult): boolean => {
    if (check.criterion === 'success-rate') return b.successObserved + c.successObserved > 0
    if (check.criterion === 'latency') return b.latency.count + c.latency.count > 0
    return true
  }
  const checks = [...judged.map((j) => j.check), ...(srm === undefined ? [] : [srm.check])]
  return {
    checks,
    baseline: summarize(b),
    canary: summarize(c),
    failed: judged.filter((j) => j.check.verdict === 'fail').map((j) => j.check),
    ...(srm?.check.verdict === 'fail' ? { srmMismatch: srm.check } : {}),
    unproven: judged
      .filter((j) => j.check.verdict !== 'pass' && applicable(j.check))
      .map((j) => j.check),
  }
}

function sampleShortage(
  b: VariantMetrics,
  c: VariantMetrics,
  criteria: ResolvedCriteria,
): { needed?: { sessions: number; calls: number }; shortfall?: string } {
  const minCalls = criteria.minCallsPerVariant
  const minSessions = criteria.minSessionsPerVariant
  const parts: string[] = []
  let sessions = 0
  let calls = 0
  for (const [name, v] of [
    ['baseline', b],
    ['canary', c],
  ] as const) {
    const s = Math.max(0, minSessions - v.sessions)
    const k = Math.max(0, minCalls - v.calls)
    if (s > 0) parts.push(`${count(s, `more ${name} session`)}`)
    if (k > 0) parts.push(`${count(k, `more ${name} call`)}`)
    sessions = Math.max(sessions, s)
    calls = Math.max(calls, k)
  }
  if (parts.length === 0) return {}
  return { needed: { sessions, calls }, shortfall: parts.join(' and ') }
}

function summarize(v: VariantMetrics): VariantSummary {
  const latency = v.latency.count > 0
  return {
    calls: v.calls,
    errors: v.errors,
    successObserved: v.successObserved,
    successes: v.successes,
    sessions: v.sessions,
    ...(latency ? { p50Ms: v.latency.quantile(0.5), p99Ms: v.latency.quantile(0.99) } : {}),
  }
}
