/*
 * A tiny deterministic stand-in for the judge, for testing the IO shell only: a stage proceeds
 * when its dwell time has passed, unless the script says otherwise.
 */
import type { RolloutLogic, StepResult } from '../shell/rollout-logic.js'
import {
  pauseRollout,
  promoteRollout,
  resumeRollout,
  rollbackRollout,
} from '../stages/manual-transitions.js'
import type {
  Criterion,
  Decision,
  DecisionKind,
  Plan,
  RolloutState,
  VariantSummary,
} from '../types.js'

export const TEST_PLAN: Plan = {
  stages: [
    { percentage: 1, minDurationS: 600 },
    { percentage: 10, minDurationS: 1800 },
    { percentage: 50, minDurationS: 3600 },
    { percentage: 100 },
  ],
}

export interface Verdict {
  readonly kind: DecisionKind
  readonly reason?: string
  readonly criterion?: Criterion
}

export interface FakeLogic extends RolloutLogic {
  /** Every `stageStarted` call: flag key, stage, at. */
  readonly started: { flagKey: string; stage: number; at: number }[]
  /** Every `step` call's state. */
  readonly stepped: RolloutState[]
  /** Replaces the script: return a verdict to override the healthy default. */
  script: (state: RolloutState, now: number) => Verdict | undefined
}

const EMPTY: VariantSummary = { calls: 0, errors: 0, successObserved: 0, successes: 0, sessions: 0 }

export function createFakeLogic(onStep?: (decision: Decision) => void): FakeLogic {
  function decide(state: RolloutState, now: number, verdict: Verdict): StepResult {
    const last = state.plan.stages.length - 1
    let next: RolloutState = state
    if (verdict.kind === 'proceed') next = { ...state, stage: state.stage + 1, stageStartedAt: now }
    if (verdict.kind === 'complete')
      next = { ...state, stage: last, phase: 'completed', stageStartedAt: now }
    if (verdict.kind === 'rollback')
      next = { ...state, phase: 'rolled-back', epoch: state.epoch + 1 }
    const decision: Decision = {
      kind: verdict.kind,
      reason: verdict.reason ?? verdict.kind,
      ...(verdict.criterion === undefined ? {} : { criterion: verdict.criterion }),
      at: now,
      stage: next.stage,
      percentage: next.plan.stages[next.stage]?.percentage ?? 0,
      baseline: { ...EMPTY, calls: 1000, errors: 10, sessions: 100 },
      canary: { ...EMPTY, calls: 100, errors: verdict.kind === 'rollback' ? 30 : 1, sessions: 10 },
      checks: [],
    }
    return { state: { ...next, lastDecision: decision }, decision }
  }

  function healthy(state: RolloutState, now: number): Verdict {
    const stage = state.plan.stages[state.stage]
    const dwellMs = (stage?.minDurationS ?? 0) * 1000
    if (now - state.stageStartedAt < dwellMs)
      return { kind: 'continue', reason: 'dwell', criterion: 'dwell' }
    const last = state.plan.stages.length - 1
    return state.stage + 1 >= last
      ? { kind: 'complete', reason: 'healthy' }
      : { kind: 'proceed', reason: 'healthy' }
  }

  const logic: FakeLogic = {
    started: [],
    stepped: [],
    script: () => undefined,
    defaultPlan: TEST_PLAN,
    defaultCriteria: {},
    step(state, now) {
      logic.stepped.push(state)
      const result = decide(state, now, logic.script(state, now) ?? healthy(state, now))
      onStep?.(result.decision)
      return result
    },
    stageStarted(state, at) {
      logic.started.push({ flagKey: state.flagKey, stage: state.stage, at })
    },
    // Manual control is the package's own pure transitions.
    promote: promoteRollout,
    rollback: rollbackRollout,
    pause: pauseRollout,
    resume: resumeRollout,
  }
  return logic
}
