import type { FlagsIssue } from '@canarykit/core'
import type { CheckResult, Criterion, Decision, RolloutPhase, VariantSummary } from '../types.js'

/**
 * How urgent an alert is: `critical` wants a human now (a rollback, a rollback not persisted).
 *
 * @example
 * onAlert: (alert) => { if (alert.level === 'critical') page(alert.text) }
 */
export type AlertLevel = 'critical' | 'warning' | 'info'

/**
 * What happened. `metrics-unavailable` (warning): a fleet guard's metrics have been missing,
 * stale or incomplete for the grace period, so the rollout holds; `metrics-restored` (info): they
 * are usable again. Both come once per outage.
 *
 * @example
 * onAlert: (alert) => { if (alert.kind === 'rollback') page(alert.text) }
 */
export type AlertKind =
  | 'rollback'
  | 'hold'
  | 'proceed'
  | 'complete'
  | 'start'
  | 'pause'
  | 'resume'
  | 'config-invalid'
  | 'metrics-unavailable'
  | 'metrics-restored'

/**
 * An alert, as the `onAlert` callback receives it and the webhook sends it (`canarykit` field).
 *
 * @example
 * onAlert: (alert) => console.log(alert.level, alert.flagKey, alert.text, alert.decision?.canary.errors)
 */
export interface Alert {
  readonly level: AlertLevel
  readonly kind: AlertKind
  /** One line for humans; also the Slack message text. */
  readonly text: string
  readonly at: number
  readonly flagKey?: string
  /** `guard` for automatic decisions, else who acted. */
  readonly actor?: string
  readonly reason?: string
  readonly criterion?: Criterion
  readonly phase?: RolloutPhase
  readonly stage?: number
  readonly percentage?: number
  /** The numbers behind the decision, when a judgement was made. */
  readonly decision?: Decision
  /** False when the action happened in process but the flags file could not be rewritten yet. */
  readonly persisted?: boolean
  /** What is wrong with the file, for `config-invalid`. */
  readonly issues?: readonly FlagsIssue[]
  /** Scrape targets Prometheus fails to scrape (`instance (job)`), for `metrics-unavailable`. */
  readonly unscraped?: readonly string[]
}

const ICON: Record<AlertLevel, string> = {
  critical: ':rotating_light:',
  warning: ':warning:',
  info: ':information_source:',
}

/**
 * The webhook's JSON body: `text` makes it a valid Slack incoming-webhook message as it is; the
 * `canarykit` field carries the same alert as structured data for any other receiver.
 *
 * @internal
 */
export function webhookBody(alert: Alert): Record<string, unknown> {
  const { decision, ...rest } = alert
  return {
    text: `${ICON[alert.level]} ${alert.text}`,
    canarykit: {
      ...rest,
      at: new Date(alert.at).toISOString(),
      ...(decision === undefined ? {} : { numbers: decisionNumbers(decision) }),
    },
  }
}

/**
 * The numbers behind a decision, for alerts and the audit log.
 *
 * @internal
 */
export function decisionNumbers(decision: Decision): {
  baseline: VariantSummary
  canary: VariantSummary
  checks: readonly CheckResult[]
  needed?: { readonly sessions: number; readonly calls: number }
} {
  return {
    baseline: decision.baseline,
    canary: decision.canary,
    checks: decision.checks,
    ...(decision.needed === undefined ? {} : { needed: decision.needed }),
  }
}

/**
 * `new-search` → "`new-search`" in Slack's markdown and plain text alike.
 *
 * @internal
 */
export function flagName(flagKey: string): string {
  return `\`${flagKey}\``
}
