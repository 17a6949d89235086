import type { Criteria, Decision, Plan, RolloutState } from '../types.js'

/**
 * The next state and the decision that led to it.
 *
 * @example
 * const { state, decision } = logic.step(state0, Date.now())
 */
export interface StepResult {
  readonly state: RolloutState
  readonly decision: Decision
}

/**
 * Who asked for a manual action, and why (recorded in the audit log and the flags file).
 *
 * @example
 * logic.pause(state, Date.now(), { actor: 'alice', reason: 'INC-42' })
 */
export interface ManualNote {
  readonly actor: string
  readonly reason: string
}

/**
 * The pure side of the guard as the IO shell uses it: the judge and the stage machine. The shell
 * never decides anything itself; it reads the flags file, asks this, and carries out the answer.
 * Every method but `prepare` is synchronous and deterministic for a given recorder content and
 * `now`.
 *
 * @example
 * createRolloutGuard({ file: 'flags.json', engine, logic: { ...realLogic, step: (s, now) => realLogic.step(s, now) } })
 */
export interface RolloutLogic {
  /**
   * Optional: fetches what `step` will judge (e.g. remote metrics) for every running rollout of a
   * check. The guard awaits it, bounded by the check interval, then steps regardless.
   */
  prepare?(states: readonly RolloutState[], now: number): Promise<void>
  /** Judges a running rollout at `now`: continue, hold, proceed, rollback or complete. */
  step(state: RolloutState, now: number): StepResult
  /** The evidence for `state`'s stage starts at `now` (a new stage, a resume, a restart). */
  stageStarted(state: RolloutState, now: number): void
  promote(state: RolloutState, to: 'next' | 'full', now: number, note: ManualNote): StepResult
  rollback(state: RolloutState, now: number, note: ManualNote): StepResult
  pause(state: RolloutState, now: number, note: ManualNote): StepResult
  resume(state: RolloutState, now: number, note: ManualNote): StepResult
  /** Used by `start` when the caller gives no plan / criteria. */
  readonly defaultPlan: Plan
  readonly defaultCriteria: Criteria
}
