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
  /** Something about the evidence itself that the guard alerts and audits (fleet mode). */
  readonly notice?: MetricsNotice
}

/**
 * A change in the health of a logic's evidence: its metrics have been unusable (missing, stale or
 * incomplete) for the grace period, or are usable again. The guard turns each into an alert
 * (`metrics-unavailable` warning, `metrics-restored` info) and an audit record.
 *
 * @example
 * if (result.notice?.kind === 'metrics-unavailable') console.warn(result.notice.reason)
 */
export interface MetricsNotice {
  readonly kind: 'metrics-unavailable' | 'metrics-restored'
  /** What is wrong; for `metrics-restored`, what was (as `metrics-unavailable` said). */
  readonly reason: string
  /** When the metrics became unusable (ms since the epoch). */
  readonly since: number
  /** Scrape targets Prometheus fails to scrape (`instance (job)`), when that is the problem. */
  readonly unscraped?: readonly string[]
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
