import type { Assignment, OutcomeSink } from '@canarykit/core'

/**
 * One flag evaluation, as the engine wrapper and the OpenFeature hook report it. Only `flagKey`,
 * `variant` and `reason` (and the error code, on events) become attributes; identifiers stay
 * out of metrics.
 *
 * @example
 * recorder.recordEvaluation({ flagKey: 'new-search', variant: 'canary', reason: 'TARGETING_MATCH' })
 */
export interface EvaluationRecord {
  readonly flagKey: string
  /** Absent when no variant was resolved (errors, a disabled flag, the caller's default). */
  readonly variant?: string | undefined
  /** OpenFeature's spelling (`TARGETING_MATCH`); lowercased on the way out. */
  readonly reason: string
  /** OpenFeature's spelling (`FLAG_NOT_FOUND`), on errors only. */
  readonly errorCode?: string | undefined
  readonly errorMessage?: string | undefined
  /** e.g. `canarykit`, or the OpenFeature provider's metadata name. */
  readonly providerName?: string | undefined
  /** The targeting key: only events carry it, and only when asked to. */
  readonly contextId?: string | undefined
  /** The value, reported (JSON-encoded if an object) only when there is no variant. */
  readonly value?: unknown
  /** `version`, `flagSetId` and `contextId` are read, as OpenFeature's telemetry helpers do. */
  readonly flagMetadata?: Readonly<Record<string, string | number | boolean>> | undefined
}

/**
 * Anything that records flag evaluations: the Prometheus and OTel metrics, the OTel events.
 *
 * @example
 * const engine = instrumentEngine(createEngine(), [metrics, events])
 */
export interface EvaluationRecorder {
  /** Must be cheap and must never throw. */
  recordEvaluation(evaluation: EvaluationRecord): void
}

/**
 * A rollout's current state: the extension point for the rollout guard. `guard.status()`
 * entries (`RolloutStatus`) fit as they are.
 *
 * @example
 * for (const status of await guard.status()) metrics.setRollout(status)
 */
export interface RolloutSnapshot {
  readonly flagKey: string
  /** The canary's share of new sessions, 0..100 (exported as a 0..1 ratio). */
  readonly percentage: number
  /** e.g. `running`, `paused`, `rolled-back`, `completed`. */
  readonly phase: string
  /** Index of the current stage. */
  readonly stage: number
}

/**
 * A guard decision or action. The guard's alerts (`onAlert`) fit as they are; a bare guard
 * `Decision` needs its flag key: `{ flagKey, ...decision }`. Present `phase`, `stage` and
 * `percentage` also update the rollout gauges.
 *
 * @example
 * createRolloutGuard({ file, recorder, alerts: { onAlert: (alert) => metrics.recordDecision(alert) } })
 */
export interface DecisionRecord {
  /** Records without a flag key (e.g. a `config-invalid` alert) are ignored. */
  readonly flagKey?: string | undefined
  /** e.g. `continue`, `hold`, `proceed`, `rollback`, `complete`, `start`, `pause`, `resume`. */
  readonly kind: string
  /** Why; rollbacks are counted by it (`none` when absent). */
  readonly criterion?: string | undefined
  readonly phase?: string | undefined
  readonly stage?: number | undefined
  readonly percentage?: number | undefined
}

/**
 * Receives the rollout guard's state and decisions.
 *
 * @example
 * metrics.setRollout({ flagKey: 'new-search', percentage: 10, phase: 'running', stage: 1 })
 */
export interface RolloutRecorder {
  setRollout(state: RolloutSnapshot): void
  recordDecision(decision: DecisionRecord): void
}

/**
 * Everything the metric adapters record: routed calls and session assignments (an
 * `OutcomeSink` for the MCP router), evaluations, and the guard's state.
 *
 * @example
 * const router = createCanaryRouter({ evaluator: instrumentEngine(engine, metrics), sinks: [metrics] })
 */
export interface TelemetryRecorder extends OutcomeSink, EvaluationRecorder, RolloutRecorder {
  assigned(assignment: Assignment): void
}

/** The router's interceptor contract lives in core (shared by @canarykit/mcp and @canarykit/telemetry). */
export type { CallInterceptor, RoutedCall } from '@canarykit/core'
