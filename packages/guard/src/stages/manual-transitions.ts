import { FlagsError } from '@canarykit/core'
import type { ManualNote, StepResult } from '../shell/rollout-logic.js'
import type { Decision, DecisionKind, RolloutPhase, RolloutState } from '../types.js'
import { servedPercentage } from './plan.js'

/*
 * Manual control, as pure transitions: each returns the next state and a `manual` decision whose
 * reason names who acted and why. An action that makes no sense in the current phase (promoting
 * a rolled-back rollout, resuming a running one) throws INVALID_ARGUMENT.
 */

/**
 * Moves to the next stage, or with `to: 'full'` straight to the last one (which completes the
 * rollout). A paused rollout stays paused at its new stage.
 *
 * @example
 * const { state: next } = promoteRollout(state, 'next', Date.now(), { actor: 'alice', reason: 'dashboards look fine' })
 */
export function promoteRollout(
  state: RolloutState,
  to: 'next' | 'full',
  now: number,
  note: ManualNote,
): StepResult {
  require(state, ['running', 'paused'], 'promote')
  const last = state.plan.stages.length - 1
  const target = to === 'full' ? last : Math.min(state.stage + 1, last)
  const completing = target === last
  const moved: RolloutState = {
    ...state,
    stage: target,
    stageStartedAt: now,
    ...(completing ? { phase: 'completed' as const } : {}),
  }
  const verb = completing ? 'completed' : 'promoted'
  return manual(
    moved,
    completing ? 'complete' : 'proceed',
    `${verb} to ${servedPercentage(moved)} %`,
    now,
    note,
  )
}

/**
 * Rolls back: phase `rolled-back`, the sticky-session epoch bumped, 0 % served.
 *
 * @example
 * rollbackRollout(state, Date.now(), { actor: 'bob', reason: 'customer reports' })
 */
export function rollbackRollout(state: RolloutState, now: number, note: ManualNote): StepResult {
  require(state, ['running', 'paused', 'completed'], 'roll back')
  const moved: RolloutState = { ...state, phase: 'rolled-back', epoch: state.epoch + 1 }
  return manual(moved, 'rollback', 'rolled back', now, note)
}

/**
 * Stops judging; the current share keeps being served until `resumeRollout`.
 *
 * @example
 * pauseRollout(state, Date.now(), { actor: 'carol', reason: 'investigating a spike' })
 */
export function pauseRollout(state: RolloutState, now: number, note: ManualNote): StepResult {
  require(state, ['running'], 'pause')
  return manual({ ...state, phase: 'paused' }, 'hold', 'paused', now, note)
}

/**
 * Judges again; the stage's evidence and dwell time restart at `now`.
 *
 * @example
 * resumeRollout(state, Date.now(), { actor: 'carol', reason: 'spike was unrelated' })
 */
export function resumeRollout(state: RolloutState, now: number, note: ManualNote): StepResult {
  require(state, ['paused'], 'resume')
  return manual(
    { ...state, phase: 'running', stageStartedAt: now },
    'continue',
    'resumed',
    now,
    note,
  )
}

function require(state: RolloutState, phases: readonly RolloutPhase[], action: string): void {
  if (!phases.includes(state.phase)) {
    throw new FlagsError(
      'INVALID_ARGUMENT',
      `cannot ${action} the rollout of "${state.flagKey}": it is ${state.phase}`,
    )
  }
}

function manual(
  state: RolloutState,
  kind: DecisionKind,
  what: string,
  now: number,
  note: ManualNote,
): StepResult {
  const previous = state.lastDecision
  const decision: Decision = {
    kind,
    reason: `${what} by ${note.actor}: ${note.reason}`,
    criterion: 'manual',
    at: now,
    stage: state.stage,
    percentage: servedPercentage(state),
    baseline: previous?.baseline ?? EMPTY,
    canary: previous?.canary ?? EMPTY,
    checks: [],
  }
  return { state: { ...state, lastDecision: decision }, decision }
}

const EMPTY = { calls: 0, errors: 0, successObserved: 0, successes: 0, sessions: 0 } as const
