import type { Alert, AlertLevel } from '../actions/alert.js'
import { decisionNumbers, flagName } from '../actions/alert.js'
import type { AuditAction, AuditRecord } from '../actions/audit-log.js'
import {
  stateOf,
  type RecordedDecision,
  type RolloutRecord,
} from '../persistence/rollout-record.js'
import { servedPercentage } from '../stages/plan.js'
import type { Decision } from '../types.js'
import type { MetricsNotice } from './rollout-logic.js'

/** An action the guard carried out, from before to after, as alerts and the audit log see it. */
export interface ActionFacts {
  readonly before?: RolloutRecord | undefined
  readonly after: RolloutRecord
  /** The judge's decision (with numbers), or a manual one as recorded. */
  readonly decision: Decision | RecordedDecision
  readonly actor: string
  readonly action: AuditAction
  /** False when the flags file could not be rewritten (the in-process action still happened). */
  readonly persisted: boolean
  readonly file: string
  readonly error?: unknown
}

/**
 * The decision as the flags file records it.
 *
 * @internal
 */
export function recorded(decision: Decision | RecordedDecision, actor: string): RecordedDecision {
  return {
    kind: decision.kind,
    reason: decision.reason,
    ...(decision.criterion === undefined ? {} : { criterion: decision.criterion }),
    at: decision.at,
    actor,
  }
}

/**
 * One audit-log line.
 *
 * @internal
 */
export function auditRecord(facts: ActionFacts): AuditRecord {
  const { before, after, decision } = facts
  return {
    at: new Date(decision.at).toISOString(),
    flagKey: after.flagKey,
    action: facts.action,
    kind: decision.kind,
    reason: decision.reason,
    ...(decision.criterion === undefined ? {} : { criterion: decision.criterion }),
    actor: facts.actor,
    phase: after.phase,
    stage: after.stage,
    percentage: servedPercentage(stateOf(after)),
    epoch: after.epoch,
    ...(before === undefined
      ? {}
      : {
          from: {
            stage: before.stage,
            percentage: servedPercentage(stateOf(before)),
            phase: before.phase,
          },
        }),
    ...('checks' in decision ? { numbers: decisionNumbers(decision) } : {}),
    persisted: facts.persisted,
  }
}

const LEVEL: Record<AuditAction, AlertLevel> = {
  rollback: 'critical',
  hold: 'warning',
  start: 'info',
  proceed: 'info',
  complete: 'info',
  pause: 'info',
  resume: 'info',
  'metrics-unavailable': 'warning',
  'metrics-restored': 'info',
}

/**
 * The alert for an action, with a sentence an on-call engineer can act on.
 *
 * @internal
 */
export function actionAlert(facts: ActionFacts): Alert {
  const { after, decision, actor } = facts
  const flag = flagName(after.flagKey)
  const reason = decision.reason.replace(/\.$/, '')
  const now = `now ${servedPercentage(stateOf(after))} % canary, stage ${after.stage + 1} of ${after.plan.stages.length}`
  const text =
    facts.action === 'rollback'
      ? `canarykit: ${flag}: ${reason}. Every new evaluation now gets ${flagName(after.baseline)}.`
      : facts.action === 'hold'
        ? `canarykit: ${flag}: ${reason}.`
        : `canarykit: ${flag}: ${reason} (${now}).`
  const failed =
    facts.persisted || facts.error === undefined
      ? ''
      : ` The flags file ${facts.file} could NOT be rewritten (${errorText(facts.error)}); other replicas still serve the canary. The guard retries every check.`
  return {
    level: facts.persisted ? LEVEL[facts.action] : 'critical',
    kind: facts.action,
    persisted: facts.persisted,
    text: text + failed,
    at: decision.at,
    flagKey: after.flagKey,
    actor,
    reason: decision.reason,
    ...(decision.criterion === undefined ? {} : { criterion: decision.criterion }),
    phase: after.phase,
    stage: after.stage,
    percentage: servedPercentage(stateOf(after)),
    ...('checks' in decision ? { decision } : {}),
  }
}

/**
 * The alert and the audit record of a metrics notice: the rollout holds where it is.
 *
 * @internal
 */
export function describeNotice(
  record: RolloutRecord,
  notice: MetricsNotice,
  decision: Decision,
): { alert: Alert; audit: AuditRecord } {
  const flag = flagName(record.flagKey)
  const percentage = servedPercentage(stateOf(record))
  const seconds = Math.max(0, Math.round((decision.at - notice.since) / 1000))
  const reason = notice.reason.replace(/\.$/, '')
  const text =
    notice.kind === 'metrics-unavailable'
      ? `canarykit: ${flag}: metrics unusable for ${seconds} s (${reason}). Holding at ${percentage} %: no promotion on missing or stale metrics, no rollback on missing metrics alone.`
      : `canarykit: ${flag}: metrics are back after ${seconds} s; judging again at ${percentage} % (the outage: ${reason}).`
  const alert: Alert = {
    level: LEVEL[notice.kind],
    kind: notice.kind,
    text,
    at: decision.at,
    flagKey: record.flagKey,
    actor: 'guard',
    reason: notice.reason,
    phase: record.phase,
    stage: record.stage,
    percentage,
    ...(notice.unscraped === undefined ? {} : { unscraped: notice.unscraped }),
  }
  const audit: AuditRecord = {
    at: new Date(decision.at).toISOString(),
    flagKey: record.flagKey,
    action: notice.kind,
    kind: decision.kind,
    reason:
      notice.kind === 'metrics-unavailable'
        ? notice.reason
        : `metrics back after ${seconds} s (the outage: ${reason})`,
    actor: 'guard',
    phase: record.phase,
    stage: record.stage,
    percentage,
    epoch: record.epoch,
    persisted: true,
  }
  return { alert, audit }
}

/**
 * A thrown value as one line.
 *
 * @internal
 */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
