import {
  stateOf,
  type RecordedDecision,
  type RolloutRecord,
} from '../persistence/rollout-record.js'
import { servedPercentage } from '../stages/plan.js'
import type { Decision, RolloutPhase } from '../types.js'

/**
 * One rollout as `guard.status()` reports it.
 *
 * @example
 * for (const s of await guard.status()) console.log(s.flagKey, s.phase, `${s.percentage} %`, s.waitingFor)
 */
export interface RolloutStatus {
  readonly flagKey: string
  readonly baseline: string
  readonly canary: string
  readonly phase: RolloutPhase
  /** Index into the plan's stages, and how many there are. */
  readonly stage: number
  readonly stages: number
  /** The canary's share of units now being served (0 after a rollback). */
  readonly percentage: number
  /** When the current stage's evidence started (after a restart: when the guard resumed it). */
  readonly stageStartedAt: number
  /** The last action recorded in the flags file. */
  readonly lastAction?: RecordedDecision
  /** The latest judgement in this process (every check, not only the ones that acted). */
  readonly lastDecision?: Decision
  /** What the rollout is waiting for, in words: "dwell: 312 s left at 10 %", "resume". */
  readonly waitingFor: string
  /** The rollback took effect in process, but the flags file could not be rewritten yet. */
  readonly pendingWrite: boolean
}

/**
 * Builds a rollout's status from its record and the latest in-process judgement.
 *
 * @internal
 */
export function rolloutStatus(
  record: RolloutRecord,
  live: { readonly decision?: Decision; readonly stageStartedAt: number } | undefined,
  pendingWrite: boolean,
  now: number,
): RolloutStatus {
  const phase: RolloutPhase = pendingWrite ? 'rolled-back' : record.phase
  const percentage = servedPercentage({ ...stateOf(record), phase })
  const stageStartedAt = live?.stageStartedAt ?? record.stageStartedAt
  return {
    flagKey: record.flagKey,
    baseline: record.baseline,
    canary: record.canary,
    phase,
    stage: record.stage,
    stages: record.plan.stages.length,
    percentage,
    stageStartedAt,
    ...(record.lastDecision === undefined ? {} : { lastAction: record.lastDecision }),
    ...(live?.decision === undefined ? {} : { lastDecision: live.decision }),
    waitingFor: waitingFor(record, phase, percentage, stageStartedAt, live?.decision, now),
    pendingWrite,
  }
}

function waitingFor(
  record: RolloutRecord,
  phase: RolloutPhase,
  percentage: number,
  stageStartedAt: number,
  decision: Decision | undefined,
  now: number,
): string {
  if (phase === 'rolled-back') return 'nothing: rolled back (start a new rollout to retry)'
  if (phase === 'completed') return 'nothing: completed'
  if (phase === 'paused') {
    const by = record.lastDecision
    return by === undefined ? 'resume' : `resume (${by.reason})`
  }
  const needed = decision?.needed
  if (needed !== undefined && (needed.sessions > 0 || needed.calls > 0)) {
    return `data: ${needed.sessions} more sessions and ${needed.calls} more calls per variant at ${percentage} %`
  }
  const dwellMs = (record.plan.stages[record.stage]?.minDurationS ?? 0) * 1000
  const left = Math.ceil((stageStartedAt + dwellMs - now) / 1000)
  if (left > 0) return `dwell: ${left} s left at ${percentage} %`
  if (decision === undefined) return 'the first check'
  return decision.kind === 'hold'
    ? `hold: ${decision.reason}`
    : `the next check (${decision.reason})`
}
