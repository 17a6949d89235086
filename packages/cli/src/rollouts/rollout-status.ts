import { servedPercentage, type RecordedDecision, type RolloutRecord } from '@canarykit/guard'
import { stateOf } from '@canarykit/guard'

/** One rollout as `canarykit status` reports it (dates as ISO strings). */
export interface StatusRow {
  readonly flagKey: string
  readonly baseline: string
  readonly canary: string
  readonly phase: RolloutRecord['phase']
  /** Index into the plan's stages, and how many there are. */
  readonly stage: number
  readonly stages: number
  /** The canary's share of units served now (0 after a rollback). */
  readonly percentage: number
  readonly stageStartedAt: string
  readonly epoch: number
  /** The last action recorded in the file: what, why, who, when. */
  readonly lastDecision?: Omit<RecordedDecision, 'at'> & { readonly at: string }
  /** What the rollout waits for, in words. */
  readonly waitingFor: string
}

/**
 * A rollout's status from the file alone. The guard's own `status()` also knows the evidence it
 * holds in memory ("need 120 more sessions"); a separate process cannot, so a running rollout
 * past its dwell time waits for "the guard's next check".
 */
export function statusRow(record: RolloutRecord, now: number): StatusRow {
  const percentage = servedPercentage(stateOf(record))
  const decision = record.lastDecision
  return {
    flagKey: record.flagKey,
    baseline: record.baseline,
    canary: record.canary,
    phase: record.phase,
    stage: record.stage,
    stages: record.plan.stages.length,
    percentage,
    stageStartedAt: new Date(record.stageStartedAt).toISOString(),
    epoch: record.epoch,
    ...(decision === undefined
      ? {}
      : { lastDecision: { ...decision, at: new Date(decision.at).toISOString() } }),
    waitingFor: waitingFor(record, percentage, now),
  }
}

/** The same wording as the guard's `status()` where the file alone is enough to say it. */
function waitingFor(record: RolloutRecord, percentage: number, now: number): string {
  switch (record.phase) {
    case 'rolled-back':
      return 'nothing: rolled back (start a new rollout to retry)'
    case 'completed':
      return 'nothing: completed'
    case 'paused': {
      const by = record.lastDecision
      return by === undefined ? 'resume' : `resume (${by.reason})`
    }
    case 'running': {
      const dwellMs = (record.plan.stages[record.stage]?.minDurationS ?? 0) * 1000
      const left = Math.ceil((record.stageStartedAt + dwellMs - now) / 1000)
      if (left > 0) return `dwell: ${left} s left at ${percentage} %`
      return `the guard's next check at ${percentage} % (enough sessions and calls, no criterion failing)`
    }
  }
}
