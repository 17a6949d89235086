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
export type { ManualNote, RolloutLogic, StepResult } from './shell/rollout-logic.js'
export type { RolloutStatus } from './shell/rollout-status.js'
export type { AlertsOptions } from './shell/alert-dispatcher.js'
export type { Alert, AlertKind, AlertLevel } from './actions/alert.js'
export type { WebhookOptions } from './actions/webhook-sender.js'
export type { AuditAction, AuditRecord } from './actions/audit-log.js'
export { readRollouts, updateRollout } from './persistence/flags-file.js'
export type { RolloutsFile, RolloutUpdate, RolloutUpdateContext } from './persistence/flags-file.js'
export type { RecordedDecision, RolloutRecord } from './persistence/rollout-record.js'
export type { UpdateOptions, WriteHooks } from './persistence/atomic-update.js'
