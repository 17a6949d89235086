import { createRolloutLogic } from '../stages/create-rollout-logic.js'
import { createMetricsRecorder } from '../metrics/metrics-recorder.js'
import { stepRollout } from '../stages/step-rollout.js'
import type { RolloutLogic, StepResult } from '../shell/rollout-logic.js'
import type { RolloutState } from '../types.js'
import type { MetricSource, MetricSourceResult } from './prometheus-metric-source.js'

/**
 * The source, the staleness bound and the outage alert of the fleet logic.
 *
 * @example
 * createFleetRolloutLogic({ source, maxAgeMs: 30_000, graceMs: 60_000, onUnavailable: console.warn })
 */
export interface FleetRolloutLogicOptions {
  readonly source: MetricSource
  /** A cached read older than this is stale: the guard holds. Default 30 000 ms. */
  readonly maxAgeMs?: number
  /** Unavailable for this long → `onUnavailable` is called once. Default 60 000 ms. */
  readonly graceMs?: number
  /** Called once per outage after the grace period (wire to the guard's alerts). */
  readonly onUnavailable?: (flagKey: string, reason: string, sinceMs: number) => void
}

/**
 * The guard's logic judged on a remote source, refreshed asynchronously before each tick.
 *
 * @example
 * await logic.refresh(state, Date.now())
 */
export interface FleetRolloutLogic extends RolloutLogic {
  /** Reads the source for `state`'s stage and caches the answer for `step`. */
  refresh(state: RolloutState, now: number): Promise<MetricSourceResult>
}

interface Cached {
  readonly stage: number
  readonly at: number
  readonly result: MetricSourceResult
}

/**
 * The judge and stage machine over a fleet-wide metric source. `step` stays synchronous (the
 * shell's contract): it judges the last `refresh` of the current stage, and holds — never
 * promotes, never rolls back — when that read is missing, stale or unavailable.
 *
 * @example
 * const logic = createFleetRolloutLogic({ source: prometheusMetricSource({ url }) })
 * await logic.refresh(state, Date.now())
 * logic.step(state, Date.now())
 */
export function createFleetRolloutLogic(options: FleetRolloutLogicOptions): FleetRolloutLogic {
  const maxAgeMs = options.maxAgeMs ?? 30_000
  const graceMs = options.graceMs ?? 60_000
  const cache = new Map<string, Cached>()
  const downSince = new Map<string, { since: number; alerted: boolean }>()
  // Manual transitions and defaults are the in-process logic's; only `step` differs.
  const base = createRolloutLogic(createMetricsRecorder())

  const hold = (state: RolloutState, now: number, reason: string): StepResult => {
    const empty = {
      flagKey: state.flagKey,
      stage: state.stageStartedAt,
      sessionsFrom: 'assigned' as const,
      variants: {},
    }
    const { decision } = stepRollout(state, empty, now)
    return { state, decision: { ...decision, kind: 'hold', reason: `holding: ${reason}` } }
  }

  const refresh = async (state: RolloutState, now: number): Promise<MetricSourceResult> => {
    const result = await options.source.read(state.flagKey, state.stageStartedAt, now)
    cache.set(state.flagKey, { stage: state.stageStartedAt, at: now, result })
    if (result.status === 'ok') {
      downSince.delete(state.flagKey)
    } else {
      const down = downSince.get(state.flagKey) ?? { since: now, alerted: false }
      downSince.set(state.flagKey, down)
      if (!down.alerted && now - down.since >= graceMs) {
        down.alerted = true
        options.onUnavailable?.(state.flagKey, result.reason, now - down.since)
      }
    }
    return result
  }

  return {
    ...base,
    stageStarted: () => undefined,
    refresh,
    /** Refreshes every running rollout of the guard's check, in parallel. */
    async prepare(states, now) {
      await Promise.all(states.filter((s) => s.phase === 'running').map((s) => refresh(s, now)))
    },
    step(state, now) {
      if (state.phase !== 'running')
        return stepRollout(
          state,
          { flagKey: state.flagKey, sessionsFrom: 'assigned', variants: {} },
          now,
        )
      const cached = cache.get(state.flagKey)
      if (cached === undefined || cached.stage !== state.stageStartedAt) {
        return hold(state, now, 'no metrics read for this stage yet')
      }
      if (cached.result.status !== 'ok') return hold(state, now, cached.result.reason)
      if (now - cached.at > maxAgeMs) {
        return hold(
          state,
          now,
          `metrics are stale (read ${Math.round((now - cached.at) / 1000)} s ago)`,
        )
      }
      return stepRollout(state, cached.result.snapshot, now)
    },
  }
}
