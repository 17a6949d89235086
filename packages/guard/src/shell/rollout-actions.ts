import type { Clock, Logger } from '@canarykit/core'
import type { AuditAction, AuditLog } from '../actions/audit-log.js'
import type { UpdateOptions } from '../persistence/atomic-update.js'
import { updateRollout } from '../persistence/flags-file.js'
import {
  stateOf,
  type RecordedDecision,
  type RolloutRecord,
} from '../persistence/rollout-record.js'
import type { Decision, RolloutState } from '../types.js'
import type { AlertDispatcher } from './alert-dispatcher.js'
import { actionAlert, auditRecord, describeNotice, errorText, recorded } from './describe-action.js'
import type { GuardEngine } from './guard-options.js'
import type { RolloutLogic, StepResult } from './rollout-logic.js'

/** What this process knows of a rollout's current stage. */
export interface Seen {
  /** The stage as the file describes it (see {@link stageKey}); a new key means new evidence. */
  readonly key: string
  /** When this process started collecting evidence for it. */
  readonly since: number
  decision?: Decision
}

/**
 * Identifies a stage as the file describes it.
 *
 * @internal
 */
export function stageKey(record: RolloutRecord): string {
  return `${record.phase}/${record.epoch}/${record.stage}/${record.stageStartedAt}`
}

/** The guard's action helpers (see {@link createRolloutActions}). */
export interface RolloutActions {
  readonly seen: Map<string, Seen>
  readonly pending: Map<string, RolloutRecord>
  readonly observe: (record: RolloutRecord, now: number) => RolloutState
  readonly reload: (text: string) => void
  readonly persist: (
    target: RolloutRecord,
    accept: (current: RolloutRecord | undefined) => boolean,
  ) => Promise<RolloutRecord | undefined>
  readonly targetOf: (record: RolloutRecord, result: StepResult, actor: string) => RolloutRecord
  readonly acted: (
    before: RolloutRecord | undefined,
    after: RolloutRecord,
    decision: Decision | RecordedDecision,
    actor: string,
    action: AuditAction,
    error?: unknown,
  ) => void
  /** Alerts and audits a step's metrics notice, if it has one. */
  readonly noticed: (record: RolloutRecord, result: StepResult) => void
  readonly killSwitch: (record: RolloutRecord) => void
  readonly rollBack: (record: RolloutRecord, result: StepResult, actor: string) => Promise<void>
  readonly flushPending: () => Promise<void>
  readonly lift: (flagKey: string) => void
}

export interface ActionContext {
  readonly file: string
  readonly engine: GuardEngine | undefined
  readonly logic: RolloutLogic
  readonly alerts: AlertDispatcher
  readonly audit: AuditLog | undefined
  readonly clock: Clock
  readonly logger: Logger
  readonly update: UpdateOptions
}

/**
 * How the guard carries out decisions: the kill switch, the file write, the engine reload, the
 * alert and the audit record, in that order, plus the in-process memory they need.
 *
 * @internal
 */
export function createRolloutActions(context: ActionContext): RolloutActions {
  const { file, engine, logic, alerts, audit, clock, logger } = context
  const seen = new Map<string, Seen>()
  /** Rollbacks in effect in process whose file rewrite has not succeeded yet. */
  const pending = new Map<string, RolloutRecord>()
  /** Flags this guard forced to the baseline; a new rollout lifts the override. */
  const overridden = new Set<string>()

  /** The state to judge: evidence (and dwell) start when this process first saw the stage. */
  function observe(record: RolloutRecord, now: number): RolloutState {
    const key = stageKey(record)
    let entry = seen.get(record.flagKey)
    if (entry?.key !== key) {
      entry = { key, since: Math.max(now, record.stageStartedAt) }
      seen.set(record.flagKey, entry)
      logic.stageStarted({ ...stateOf(record), stageStartedAt: entry.since }, entry.since)
    }
    return { ...stateOf(record), stageStartedAt: entry.since }
  }

  function reload(text: string): void {
    try {
      engine?.load?.(text, { source: file })
    } catch (error) {
      logger.warn?.(`could not reload the engine after writing ${file}: ${errorText(error)}`)
    }
  }

  /** Writes `target` if the rollout on disk (if any) passes `accept`; else returns `undefined`. */
  async function persist(
    target: RolloutRecord,
    accept: (current: RolloutRecord | undefined) => boolean,
  ): Promise<RolloutRecord | undefined> {
    const { originalTargeting: _t, originalDefaultVariant: _d, ...fields } = target
    const update = await updateRollout(
      file,
      target.flagKey,
      (current) => (accept(current) ? { ...(current ?? target), ...fields } : undefined),
      context.update,
    )
    if (update.mode !== 'unchanged') reload(update.text)
    return update.record
  }

  function targetOf(record: RolloutRecord, result: StepResult, actor: string): RolloutRecord {
    const { lastDecision: _decision, ...state } = result.state
    return { ...record, ...state, lastDecision: recorded(result.decision, actor) }
  }

  /** After an action: new evidence for a new stage, then the alert, then the audit record. */
  function acted(
    before: RolloutRecord | undefined,
    after: RolloutRecord,
    decision: Decision | RecordedDecision,
    actor: string,
    action: AuditAction,
    error?: unknown,
  ): void {
    const newStage = before === undefined || stageKey(after) !== stageKey(before)
    if (after.phase === 'running' && newStage) {
      seen.set(after.flagKey, { key: stageKey(after), since: after.stageStartedAt })
      logic.stageStarted(stateOf(after), after.stageStartedAt)
    }
    const persisted = error === undefined
    const facts = { before, after, decision, actor, action, persisted, file, error }
    alerts.emit(actionAlert(facts))
    audit?.append(auditRecord(facts))
  }

  function noticed(record: RolloutRecord, { notice, decision }: StepResult): void {
    if (notice === undefined) return
    const { alert, audit: line } = describeNotice(record, notice, decision)
    alerts.emit(alert)
    audit?.append(line)
  }

  /** Every new evaluation in this process gets the baseline, synchronously. */
  function killSwitch(record: RolloutRecord): void {
    try {
      engine?.override(record.flagKey, record.baseline)
      overridden.add(record.flagKey)
    } catch (error) {
      logger.error?.(`kill switch for ${record.flagKey} failed: ${errorText(error)}`)
    }
  }

  /** After the kill switch: the file, then the alert and the audit record. */
  async function rollBack(record: RolloutRecord, result: StepResult, actor: string): Promise<void> {
    const target = targetOf(record, result, actor)
    try {
      const written = await persist(target, (current) => current?.phase !== 'rolled-back')
      acted(record, written ?? target, result.decision, actor, 'rollback')
    } catch (error) {
      pending.set(record.flagKey, target)
      acted(record, target, result.decision, actor, 'rollback', error)
    }
  }

  /** Retries the file rewrite of rollbacks that so far only took effect in process. */
  async function flushPending(): Promise<void> {
    for (const [flagKey, target] of pending) {
      try {
        await persist(target, (current) => current?.phase !== 'rolled-back')
        pending.delete(flagKey)
        alerts.emit({
          level: 'info',
          kind: 'rollback',
          persisted: true,
          flagKey,
          at: clock(),
          text: `canarykit: the rollback of \`${flagKey}\` is now written to ${file}.`,
        })
      } catch (error) {
        logger.warn?.(`the rollback of ${flagKey} is still not in ${file}: ${errorText(error)}`)
      }
    }
  }

  /** Lifts this guard's kill switch for a flag (a new rollout starts). */
  function lift(flagKey: string): void {
    if (overridden.delete(flagKey)) engine?.clearOverride?.(flagKey)
  }

  return {
    seen,
    pending,
    observe,
    reload,
    persist,
    targetOf,
    acted,
    noticed,
    killSwitch,
    rollBack,
    flushPending,
    lift,
  }
}
