export {}

// --- The IO shell: the guard, flags-file persistence, alerts and the audit log ---
export { createRolloutGuard } from './guard.js'
export type {
  GuardEngine,
  GuardTimers,
  ManualOptions,
  RolloutGuard,
  RolloutGuardOptions,
  StartOptions,
} from './shell/guard-options.js'
export type { ManualNote, MetricsNotice, RolloutLogic, StepResult } from './shell/rollout-logic.js'
export type { RolloutStatus } from './shell/rollout-status.js'
export type { AlertsOptions } from './shell/alert-dispatcher.js'
export type { Alert, AlertKind, AlertLevel } from './actions/alert.js'
export type { WebhookOptions } from './actions/webhook-sender.js'
export type { AuditAction, AuditRecord } from './actions/audit-log.js'
export { readRollouts, updateRollout } from './persistence/flags-file.js'
export type { RolloutsFile, RolloutUpdate, RolloutUpdateContext } from './persistence/flags-file.js'
export type { RecordedDecision, RolloutRecord } from './persistence/rollout-record.js'
export type { UpdateOptions, WriteHooks } from './persistence/atomic-update.js'
export { withWriteLock } from './persistence/write-lock.js'
export { syncDirectory, writeTempFile } from './persistence/atomic-file.js'
export { stateOf } from './persistence/rollout-record.js'
export type { WriteLockOptions } from './persistence/write-lock.js'

// --- The pure core: metrics, judge, stage machine, simulator (and the shared vocabulary) ---
export type {
  CheckResult,
  Criteria,
  Criterion,
  Decision,
  DecisionKind,
  Plan,
  RolloutPhase,
  RolloutState,
  Stage,
  VariantSummary,
} from './types.js'
export { createMetricsRecorder } from './metrics/metrics-recorder.js'
export type {
  MetricsRecorder,
  MetricsRecorderOptions,
  RecorderFootprint,
} from './metrics/metrics-recorder.js'
export { LatencySketch } from './metrics/latency-sketch.js'
export type { LatencyDistribution, LatencySketchOptions } from './metrics/latency-sketch.js'
export type {
  ClusterMoments,
  MetricsSnapshot,
  StageKey,
  VariantMetrics,
} from './metrics/metrics-snapshot.js'
export { DEFAULT_CRITERIA, resolveCriteria } from './judge/criteria.js'
export type { CriteriaResolution, ResolvedCriteria } from './judge/criteria.js'
export { judgeStage } from './judge/judge-stage.js'
export type { JudgeInput, StageJudgement } from './judge/judge-stage.js'
export { DEFAULT_PLAN, servedPercentage, validatePlan } from './stages/plan.js'
export { createRolloutState } from './stages/rollout-state.js'
export type { CreateRolloutStateOptions } from './stages/rollout-state.js'
export { stepRollout } from './stages/step-rollout.js'
export {
  pauseRollout,
  promoteRollout,
  resumeRollout,
  rollbackRollout,
} from './stages/manual-transitions.js'
export { createRolloutLogic } from './stages/create-rollout-logic.js'
export { parseScenario } from './simulator/scenario.js'
export type { CanaryChange, Scenario, VariantProfile } from './simulator/scenario.js'
export { simulate } from './simulator/simulate.js'
export type { SimulateOptions, SimulationReport } from './simulator/simulate.js'
export type { PolicyName } from './simulator/policy.js'
export { THRESHOLD_POLICY } from './simulator/threshold-policy.js'

// --- Fleet mode: judging on metrics aggregated over many replicas ---
export { prometheusMetricSource } from './fleet/prometheus-metric-source.js'
export type {
  MetricSource,
  MetricSourceResult,
  PrometheusMetricSourceOptions,
} from './fleet/prometheus-metric-source.js'
export { createFleetRolloutLogic } from './fleet/fleet-rollout-logic.js'
export type { FleetRolloutLogic, FleetRolloutLogicOptions } from './fleet/fleet-rollout-logic.js'
export { bucketDistribution } from './fleet/bucket-distribution.js'
export type { LatencyBucket } from './fleet/bucket-distribution.js'
