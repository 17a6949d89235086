import { resolveCriteria } from '../judge/criteria.js'
import { duration } from '../judge/format.js'
import { judgeStage, type StageJudgement } from '../judge/judge-stage.js'
import type { MetricsSnapshot } from '../metrics/metrics-snapshot.js'
import type { StepResult } from '../shell/rollout-logic.js'
import type { CheckResult, Criterion, Decision, DecisionKind, RolloutState } from '../types.js'
import { completesAfter, servedPercentage, validatePlan } from './plan.js'

const LABELS: Record<Criterion, string> = {
  'error-rate': 'error rate',
  latency: 'latency',
  'success-rate': 'tool success',
  srm: 'sample ratio',
  sample: 'sample',
  dwell: 'dwell',
  manual: 'manual',
}

const NO_JUDGEMENT: Pick<StageJudgement, 'baseline' | 'canary' | 'checks'> = {
  baseline: { calls: 0, errors: 0, successObserved: 0, successes: 0, sessions: 0 },
  canary: { calls: 0, errors: 0, successObserved: 0, successes: 0, sessions: 0 },
  checks: [],
}

// Plans and criteria are immutable values that the guard judges every few seconds: validate each
// object once.
const planChecks = new WeakMap<object, ReturnType<typeof validatePlan>>()
const criteriaChecks = new WeakMap<object, ReturnType<typeof resolveCriteria>>()

function memo<K, V>(cache: WeakMap<object, V>, key: K, compute: (key: K) => V): V {
  if (typeof key !== 'object' || key === null) return compute(key)
  let value = cache.get(key)
  if (value === undefined) {
    value = compute(key)
    cache.set(key, value)
  }
  return value
}

/**
 * One step of the stage machine: judges the current stage's evidence at `now` and returns the
 * next state with the decision behind it. Pure and deterministic; it never throws.
 *
 * - `rollback`: a criterion failed (its whole confidence bound is past the limit) → phase
 *   `rolled-back`, `epoch` + 1.
 * - `hold`: below the minimum sample (`needed` says how much more), a sample-ratio mismatch,
 *   paused, an unusable plan or criteria, or — at the last guarded stage — a criterion not yet
 *   shown to be within its limit.
 * - `continue`: within the stage's dwell time and nothing wrong.
 * - `proceed`: dwell passed, sample met, no criterion failing → next stage, `stageStartedAt = now`.
 * - `complete`: the same at the last guarded stage, with every criterion shown within its limit
 *   → the last stage, phase `completed`.
 *
 * `decision.percentage` is the canary share served after the decision (0 after a rollback).
 * A completed or rolled-back state is returned unchanged with a `hold` decision.
 *
 * @example
 * const { state: next, decision } = stepRollout(state, recorder.snapshot(state.flagKey, state.stageStartedAt), Date.now())
 * if (next.stage !== state.stage) recorder.startStage(next.flagKey, next.stageStartedAt)
 */
export function stepRollout(
  state: RolloutState,
  metrics: MetricsSnapshot,
  now: number,
): StepResult {
  try {
    return step(state, metrics, now)
  } catch (error) {
    // Malformed input (a hand-edited state, a foreign snapshot): hold, never crash the timer.
    const reason = `holding: the rollout could not be judged (${error instanceof Error ? error.message : String(error)})`
    return { state, decision: build(state, 'hold', reason, now) }
  }
}

function step(state: RolloutState, metrics: MetricsSnapshot, now: number): StepResult {
  if (state.phase === 'rolled-back' || state.phase === 'completed') {
    return {
      state,
      decision: build(state, 'hold', `nothing to judge: the rollout is ${state.phase}`, now),
    }
  }
  const planIssues = memo(planChecks, state.plan, validatePlan)
  const { criteria, issues } = memo(criteriaChecks, state.criteria, resolveCriteria)
  const stage = planIssues.length === 0 ? state.plan.stages[state.stage] : undefined
  if (planIssues.length > 0 || issues.length > 0 || stage === undefined) {
    const problems = [...planIssues, ...issues].map((i) => `${i.path}: ${i.message}`)
    if (planIssues.length === 0 && stage === undefined) {
      problems.push(`/stage: no stage ${state.stage} in the plan`)
    }
    return next(
      state,
      'hold',
      `holding: the rollout cannot be judged (${problems.join('; ')})`,
      now,
    )
  }
  if (state.phase === 'paused') {
    // The state stays as the pause left it, so its who/why remains the last decision.
    const why = state.lastDecision?.criterion === 'manual' ? state.lastDecision.reason : 'paused'
    return {
      state,
      decision: build(state, 'hold', `holding at ${stage.percentage} %: ${why}`, now, 'manual'),
    }
  }

  const stages = state.plan.stages
  const last = stages.length - 1
  const completing = completesAfter(state.plan, state.stage)
  const elapsedS = (now - state.stageStartedAt) / 1000
  const dwellS = stage.minDurationS ?? 0
  const at = `at ${stage.percentage} %`

  if (stage.percentage >= 100) {
    // No baseline traffic left to compare with: only the dwell time counts.
    if (elapsedS < dwellS) {
      return next(
        state,
        'continue',
        `continuing ${at}: ${duration(elapsedS)} of ${duration(dwellS)} dwell`,
        now,
        'dwell',
      )
    }
    return advance(state, true, `complete ${at}: dwell passed`, now, NO_JUDGEMENT)
  }

  const current = metrics.stage === undefined || metrics.stage === state.stageStartedAt
  const judgement = judgeStage({
    metrics: current ? metrics : { ...metrics, variants: {} },
    baseline: state.baseline,
    canary: state.canary,
    criteria,
    share: stage.percentage / 100,
  })

  if (judgement.needed !== undefined) {
    const floor = `at least ${criteria.minCallsPerVariant} calls and ${criteria.minSessionsPerVariant} sessions per variant before any verdict`
    return next(
      state,
      'hold',
      `holding ${at}: need ${judgement.shortfall ?? ''} (${floor})`,
      now,
      'sample',
      judgement,
      {
        needed: judgement.needed,
      },
    )
  }
  const failed = judgement.failed[0]
  if (failed !== undefined) {
    const others = judgement.failed.slice(1).map((c) => LABELS[c.criterion])
    const also = others.length > 0 ? `; also failing: ${others.join(', ')}` : ''
    const rolledBack: RolloutState = { ...state, phase: 'rolled-back', epoch: state.epoch + 1 }
    const reason = `rolling back ${at}: ${describe(failed)}${also}`
    const decision = build(rolledBack, 'rollback', reason, now, failed.criterion, judgement)
    return { state: withDecision(rolledBack, decision), decision }
  }
  if (judgement.srmMismatch !== undefined) {
    const reason = `holding ${at}: sample ratio mismatch — ${judgement.srmMismatch.detail ?? ''}; the assignment is broken, not the canary`
    return next(state, 'hold', reason, now, 'srm', judgement)
  }
  if (elapsedS < dwellS) {
    const reason = `continuing ${at}: ${duration(elapsedS)} of ${duration(dwellS)} dwell, no criterion failing`
    return next(state, 'continue', reason, now, 'dwell', judgement)
  }
  const unproven = judgement.unproven[0]
  if (completing && unproven !== undefined) {
    const list = judgement.unproven.map(describe).join('; ')
    const reason = `holding ${at}: dwell passed, but before ${stages[last]?.percentage ?? 100} % every criterion must be shown within its limit; not yet: ${list}`
    return next(state, 'hold', reason, now, unproven.criterion, judgement)
  }
  const summary = `${duration(elapsedS)} dwell passed, ${judgement.canary.calls} canary calls in ${judgement.canary.sessions} sessions, no criterion failing`
  return advance(state, completing, summary, now, judgement)
}

function advance(
  state: RolloutState,
  completing: boolean,
  why: string,
  now: number,
  judgement: Pick<StageJudgement, 'baseline' | 'canary' | 'checks'>,
): StepResult {
  const last = state.plan.stages.length - 1
  const moved: RolloutState = completing
    ? { ...state, stage: last, phase: 'completed', stageStartedAt: completedAt(state, last, now) }
    : { ...state, stage: state.stage + 1, stageStartedAt: now }
  const to = servedPercentage(moved)
  const decision = build(
    moved,
    completing ? 'complete' : 'proceed',
    completing ? `completing at ${to} %: ${why}` : `proceeding to ${to} %: ${why}`,
    now,
    undefined,
    judgement,
  )
  return { state: withDecision(moved, decision), decision }
}

/** Completing from inside the last stage keeps its start; moving into it starts it now. */
function completedAt(state: RolloutState, last: number, now: number): number {
  return state.stage === last ? state.stageStartedAt : now
}

function describe(check: CheckResult): string {
  return `${LABELS[check.criterion]}: ${check.detail ?? check.verdict}`
}

/** The same stage, with a new last decision. */
function next(
  state: RolloutState,
  kind: DecisionKind,
  reason: string,
  now: number,
  criterion?: Criterion,
  judgement?: Pick<StageJudgement, 'baseline' | 'canary' | 'checks'>,
  extra: Partial<Pick<Decision, 'needed'>> = {},
): StepResult {
  const decision = { ...build(state, kind, reason, now, criterion, judgement), ...extra }
  return { state: withDecision(state, decision), decision }
}

function withDecision(state: RolloutState, decision: Decision): RolloutState {
  return { ...state, lastDecision: decision }
}

/** A decision about `state` (the state after the decision: stage and share served). */
function build(
  state: RolloutState,
  kind: DecisionKind,
  reason: string,
  now: number,
  criterion?: Criterion,
  judgement: Pick<StageJudgement, 'baseline' | 'canary' | 'checks'> = NO_JUDGEMENT,
): Decision {
  return {
    kind,
    reason,
    ...(criterion === undefined ? {} : { criterion }),
    at: now,
    stage: state.stage,
    percentage: servedPercentage(state),
    baseline: judgement.baseline,
    canary: judgement.canary,
    checks: judgement.checks,
  }
}
