/*
 * The guard's shared vocabulary: the pure judge and stage machine produce these, the IO shell
 * (timers, the flags file, alerts, audit) and the simulator consume them.
 */

/** One stage of a rollout: the canary's share of units, and how long it must hold at least. */
export interface Stage {
  /** 0..100. The last stage is normally 100 and has no duration. */
  readonly percentage: number
  /** Minimum dwell time in seconds before the stage may proceed. */
  readonly minDurationS?: number
}

/** The stages a rollout walks, in order. */
export interface Plan {
  readonly stages: readonly Stage[]
}

/** Baseline-relative pass criteria; `false` switches a criterion off. */
export interface Criteria {
  /** Canary error rate may exceed the baseline's by at most `maxIncrease` (absolute, 0.005 = 0.5 pp) and/or `maxRatio` × baseline. */
  readonly errorRate?: { readonly maxIncrease?: number; readonly maxRatio?: number } | false
  /** Canary latency quantile `quantile` may exceed the baseline's by at most `maxIncrease` (relative, 0.1 = +10 %). */
  readonly latency?: { readonly quantile?: number; readonly maxIncrease?: number } | false
  /** Canary tool-success rate may fall below the baseline's by at most `maxDecrease` (absolute, 0.01 = 1 point). */
  readonly successRate?: { readonly maxDecrease?: number } | false
  /** Sample-ratio-mismatch check of the canary's share of sessions. */
  readonly srm?: { readonly alpha?: number } | false
  /** Error budget of the whole sequential procedure (per criterion, anytime-valid). */
  readonly alpha?: number
  /** Below these, per variant, a stage neither proceeds nor rolls back. */
  readonly minCallsPerVariant?: number
  readonly minSessionsPerVariant?: number
}

export type RolloutPhase = 'running' | 'paused' | 'rolled-back' | 'completed'

/** Everything needed to resume a rollout after a restart (persisted in the flags file). */
export interface RolloutState {
  readonly flagKey: string
  readonly baseline: string
  readonly canary: string
  readonly plan: Plan
  readonly criteria: Criteria
  readonly phase: RolloutPhase
  /** Index into `plan.stages`. */
  readonly stage: number
  /** When the current stage started (ms since the epoch); its evidence starts here. */
  readonly stageStartedAt: number
  /** Sticky-session epoch written to the flag's metadata (`canarykit.pinEpoch`); a rollback bumps it. */
  readonly epoch: number
  readonly lastDecision?: Decision
}

export type DecisionKind = 'continue' | 'hold' | 'proceed' | 'rollback' | 'complete'

export type Criterion =
  'error-rate' | 'latency' | 'success-rate' | 'srm' | 'sample' | 'dwell' | 'manual'

/** One criterion's verdict with the numbers behind it. */
export interface CheckResult {
  readonly criterion: Criterion
  readonly verdict: 'pass' | 'fail' | 'inconclusive'
  /** Point estimate of the canary-minus-baseline difference (or ratio, see `detail`). */
  readonly estimate: number
  /** Anytime-valid confidence bounds on that difference. */
  readonly lower: number
  readonly upper: number
  /** The allowed limit the bound is compared with. */
  readonly threshold: number
  readonly detail?: string
}

/** What a variant did in the current stage. */
export interface VariantSummary {
  readonly calls: number
  readonly errors: number
  /** Calls whose result a success predicate judged, and how many it judged successful. */
  readonly successObserved: number
  readonly successes: number
  readonly sessions: number
  readonly p50Ms?: number
  readonly p99Ms?: number
}

/** A decision of the guard, with its reason and the numbers behind it. */
export interface Decision {
  readonly kind: DecisionKind
  /** A sentence for humans: "holding: need 120 more canary sessions". */
  readonly reason: string
  readonly criterion?: Criterion
  readonly at: number
  readonly stage: number
  readonly percentage: number
  readonly baseline: VariantSummary
  readonly canary: VariantSummary
  readonly checks: readonly CheckResult[]
  /** Present when the sample is too small: how many more are needed per variant. */
  readonly needed?: { readonly sessions: number; readonly calls: number }
}
