import { isFlagsError } from '@canarykit/core'
import {
  pauseRollout,
  promoteRollout,
  resumeRollout,
  rollbackRollout,
  type AuditAction,
  type ManualNote,
  type RolloutRecord,
  type StepResult,
} from '@canarykit/guard'
import { stateOf } from '@canarykit/guard'

/** The manual commands. */
export type ManualAction = 'promote' | 'rollback' | 'pause' | 'resume'

/** Who asks for what, and when. */
export interface ManualRequest extends ManualNote {
  readonly action: ManualAction
  /** `promote` only: the next stage, or straight to the last one. */
  readonly to: 'next' | 'full'
  /** Milliseconds since the epoch. */
  readonly now: number
}

/** The record to write and the audit action, or why the transition is refused. */
export type TransitionResult =
  | { readonly ok: true; readonly record: RolloutRecord; readonly auditAction: AuditAction }
  | { readonly ok: false; readonly message: string }

/**
 * The guard's own manual transitions applied to the rollout as it is on disk now, recorded as the
 * guard's `manual()` records them (so the file reads the same whoever acted). Pure. The targeting
 * edits are not made here: `updateRollout` derives them from the record.
 */
export function manualTransition(record: RolloutRecord, request: ManualRequest): TransitionResult {
  if (record.phase === 'rolled-back') {
    // The guard's wording for every action on a rolled-back rollout.
    const name = JSON.stringify(record.flagKey)
    return {
      ok: false,
      message: `flag ${name} is already rolled back; start a new rollout instead`,
    }
  }
  let result: StepResult
  try {
    result = step(record, request)
  } catch (error) {
    if (!isFlagsError(error)) throw error
    return { ok: false, message: error.message }
  }
  const { lastDecision: _live, ...state } = result.state
  const { decision } = result
  const written: RolloutRecord = {
    ...record,
    ...state,
    lastDecision: {
      kind: decision.kind,
      reason: decision.reason,
      ...(decision.criterion === undefined ? {} : { criterion: decision.criterion }),
      at: decision.at,
      actor: request.actor,
    },
  }
  const auditAction: AuditAction =
    request.action === 'promote'
      ? written.phase === 'completed'
        ? 'complete'
        : 'proceed'
      : request.action
  return { ok: true, record: written, auditAction }
}

/** Throws the guard's 'INVALID_ARGUMENT' for an action the rollout's phase does not allow. */
function step(record: RolloutRecord, request: ManualRequest): StepResult {
  const state = stateOf(record)
  const note: ManualNote = { actor: request.actor, reason: request.reason }
  switch (request.action) {
    case 'promote':
      return promoteRollout(state, request.to, request.now, note)
    case 'rollback':
      return rollbackRollout(state, request.now, note)
    case 'pause':
      return pauseRollout(state, request.now, note)
    case 'resume':
      return resumeRollout(state, request.now, note)
  }
}
