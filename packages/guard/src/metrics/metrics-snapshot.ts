import type { LatencyDistribution } from './latency-sketch.js'

/**
 * Per-session sums behind a cluster-robust (sandwich) variance of a ratio y/m: over sessions s
 * with y_s events in m_s trials, Σ y_s², Σ y_s·m_s and Σ m_s². A call without a session key is
 * its own cluster.
 */
export interface ClusterMoments {
  readonly clusters: number
  readonly sumYY: number
  readonly sumYM: number
  readonly sumMM: number
}

/** What one variant did since its stage started. */
export interface VariantMetrics {
  readonly calls: number
  readonly errors: number
  /** Calls that carried a success verdict, and how many of them were successful. */
  readonly successObserved: number
  readonly successes: number
  /** Units assigned this stage (or, without assignment events, session keys seen in outcomes). */
  readonly sessions: number
  /** Latencies of the calls that reported one. */
  readonly latency: LatencyDistribution
  /** Errors per session (y = errors, m = calls); absent when calls are independent. */
  readonly errorMoments?: ClusterMoments
  /** Successes per session (y = successes, m = calls with a verdict). */
  readonly successMoments?: ClusterMoments
}

/** Identifies a stage's evidence; the stage machine uses `RolloutState.stageStartedAt`. */
export type StageKey = string | number

/** One flag's evidence for one stage, per variant, as the judge reads it. */
export interface MetricsSnapshot {
  readonly flagKey: string
  /** The stage this evidence belongs to (`undefined`: the recorder was never told). */
  readonly stage?: StageKey
  /**
   * Where `sessions` comes from: `assigned` counts assignment events (the router reports each unit
   * once), so the sample-ratio check applies; `outcomes` counts session keys seen in outcomes
   * (no assignment events arrived), which includes sessions assigned in earlier stages.
   */
  readonly sessionsFrom: 'assigned' | 'outcomes'
  readonly variants: Readonly<Record<string, VariantMetrics>>
}
