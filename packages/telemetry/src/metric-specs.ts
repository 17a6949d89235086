/*
 * The metrics, once for both backends. Prometheus names are `prefix + prom`; OTel names are
 * `prefix + otel`, chosen so that the OTel→Prometheus naming rules (unit suffix, `_total` for
 * monotonic sums, `_ratio` for unit `1`) give back the Prometheus names, and so one Grafana
 * dashboard reads either. Label names are identical in both. These names are a public contract.
 */

export type MetricKind = 'counter' | 'histogram' | 'gauge'

export interface MetricSpec {
  readonly kind: MetricKind
  /** Without the prefix, e.g. `tool_calls_total`. */
  readonly prom: string
  /** Without the prefix, e.g. `tool.calls`. */
  readonly otel: string
  /** UCUM unit for OTel. */
  readonly unit: string
  readonly help: string
  readonly labels: readonly string[]
}

export const METRICS = {
  evaluations: {
    kind: 'counter',
    prom: 'flag_evaluations_total',
    otel: 'flag.evaluations',
    unit: '{evaluation}',
    help: 'Flag evaluations, by flag, variant and reason (lowercase).',
    labels: ['flag', 'variant', 'reason'],
  },
  toolCalls: {
    kind: 'counter',
    prom: 'tool_calls_total',
    otel: 'tool.calls',
    unit: '{call}',
    help: 'Routed tool calls, by tool, flag, variant and outcome (ok, error, failure).',
    labels: ['tool', 'flag', 'variant', 'outcome'],
  },
  toolDuration: {
    kind: 'histogram',
    prom: 'tool_call_duration_seconds',
    otel: 'tool.call.duration',
    unit: 's',
    help: 'Duration of routed tool calls in seconds, by tool, flag and variant.',
    labels: ['tool', 'flag', 'variant'],
  },
  sessions: {
    kind: 'counter',
    prom: 'sessions_assigned_total',
    otel: 'sessions.assigned',
    unit: '{session}',
    help: 'Sessions pinned to a variant by the flag (header overrides excluded).',
    labels: ['flag', 'variant'],
  },
  rolloutRatio: {
    kind: 'gauge',
    prom: 'rollout_target_ratio',
    otel: 'rollout.target',
    unit: '1',
    help: "Share of new sessions the rollout's current stage sends to the canary (0..1).",
    labels: ['flag'],
  },
  rolloutStage: {
    kind: 'gauge',
    prom: 'rollout_stage',
    otel: 'rollout.stage',
    unit: '{stage}',
    help: 'Index of the rollout stage (0-based).',
    labels: ['flag'],
  },
  rolloutPhase: {
    kind: 'gauge',
    prom: 'rollout_phase',
    otel: 'rollout.phase',
    // Not `1`: the OTel→Prometheus rules would add `_ratio` to a dimensionless gauge.
    unit: '{state}',
    help: "The rollout's phase as a state set: 1 for the current phase, 0 for the others.",
    labels: ['flag', 'phase'],
  },
  decisions: {
    kind: 'counter',
    prom: 'guard_decisions_total',
    otel: 'guard.decisions',
    unit: '{decision}',
    help: 'Rollout guard decisions and actions, by flag and decision.',
    labels: ['flag', 'decision'],
  },
  rollbacks: {
    kind: 'counter',
    prom: 'rollbacks_total',
    otel: 'rollbacks',
    unit: '{rollback}',
    help: 'Rollbacks, by flag and the criterion that caused them.',
    labels: ['flag', 'criterion'],
  },
} as const satisfies Record<string, MetricSpec>

export type MetricKey = keyof typeof METRICS

/**
 * Histogram buckets (seconds) for tool calls, from a cache hit (5 ms) to a slow upstream or
 * model call (60 s); prom-client's default stops at 10 s.
 *
 * @example
 * createPrometheusMetrics({ durationBuckets: [...DEFAULT_DURATION_BUCKETS, 120] })
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
])

/*
 * The guard's vocabulary, created at 0 when a flag is first seen so that `increase()` sees the
 * first decision and the phase state set is complete. Other values are still accepted.
 */
export const KNOWN_PHASES = ['running', 'paused', 'rolled-back', 'completed'] as const
export const KNOWN_DECISIONS = [
  'continue',
  'hold',
  'proceed',
  'rollback',
  'complete',
  'start',
  'pause',
  'resume',
] as const
export const KNOWN_CRITERIA = [
  'error-rate',
  'latency',
  'success-rate',
  'srm',
  'sample',
  'dwell',
  'manual',
  'none',
] as const

/** Outcomes of a routed call: it threw or returned an error; the success predicate said no. */
export const OUTCOMES = ['ok', 'error', 'failure'] as const

/** Default bound on label combinations per metric. */
export const DEFAULT_MAX_SERIES = 500
