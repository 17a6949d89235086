export { createCanary } from './create-canary.js'
export type { Canary, CanaryAlerts, CanaryOptions, RolloutOptions } from './canary-options.js'
// The types a server author meets through the umbrella, so one import name is enough.
export type {
  Alert,
  AuditRecord,
  Criteria,
  Decision,
  Plan,
  RolloutStatus,
  Stage,
} from '@canarykit/guard'
export type { AnyToolCallback, CanaryRouter, RouteOptions } from '@canarykit/mcp'
export type { MetricsHandler } from '@canarykit/telemetry'
