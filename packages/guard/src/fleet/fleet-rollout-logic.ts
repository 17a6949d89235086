import { createRolloutLogic } from '../stages/create-rollout-logic.js'
import { createMetricsRecorder } from '../metrics/metrics-recorder.js'
import type { MetricsSnapshot } from '../metrics/metrics-snapshot.js'
import { stepRollout } from '../stages/step-rollout.js'
import type { MetricsNotice, RolloutLogic, StepResult } from '../shell/rollout-logic.js'
import type { RolloutState } from '../types.js'
import type { MetricSource, MetricSourceResult } from './prometheus-metric-source.js'

/**
 * The source, the staleness bound and the outage grace period of the fleet logic.
 *
 * @example
 * createFleetRolloutLogic({ source, maxAgeMs: 30_000, graceMs: 60_000 })
 */
export interface FleetRolloutLogicOptions {
  readonly source: MetricSource
  /**
   * Evidence older than this is stale and the guard holds: a read this long ago, or a newest
   * sample this old (Prometheus restarted, or stopped scraping). Give it a scrape interval or
   * two. Default 30 000 ms.
   */
  readonly maxAgeMs?: number
  /**
   * Metrics unusable (unavailable, stale, or a replica not scraped) for this long → one
   * `metrics-unavailable` notice per outage, and one `metrics-restored` when they are usable
   * again; the guard alerts and audits both. Default 60 000 ms.
   */
  readonly graceMs?: number
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

/** What the last read gives `step`: usable evidence, or why not (with what there is). */
type Evidence =
  | { readonly usable: true; readonly snapshot: MetricsSnapshot }
  | {
      readonly usable: false
      readonly reason: string
      /** Incomplete evidence (a replica not scraped): it may prove a regression, never health. */
      readonly snapshot?: MetricsSnapshot
      readonly unscraped?: readonly string[]
    }

interface Outage {
  readonly since: number
  last: number
  /** The reason alerted, once the grace has passed. */
  alerted?: string
}

/**
 * The judge and stage machine over a fleet-wide metric source. `step` stays synchronous (the
 * shell's contract): it judges the last `refresh` of the current stage. When that read is
 * missing, unavailable, or stale (read, or sampled by Prometheus, over `maxAgeMs` ago) it holds:
 * never promotes, never rolls back. When Prometheus fails to scrape a replica it judges what
 * there is, but only a rollback stands: incomplete evidence never promotes. Metrics unusable for
 * `graceMs` add a `metrics-unavailable` notice to the step (once per outage), usable again a
 * `metrics-restored` one.
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
  const outages = new Map<string, Outage>()
  // Manual transitions and defaults are the in-process logic's; only `step` differs.
  const base = createRolloutLogic(createMetricsRecorder())

  const refresh = async (state: RolloutState, now: number): Promise<MetricSourceResult> => {
    const result = await options.source.read(state.flagKey, state.stageStartedAt, now)
    cache.set(state.flagKey, { stage: state.stageStartedAt, at: now, result })
    return result
  }

  function evidence(state: RolloutState, now: number): Evidence {
    const cached = cache.get(state.flagKey)
    if (cached === undefined || cached.stage !== state.stageStartedAt) {
      return { usable: false, reason: 'no metrics read for this stage yet' }
    }
    const { result } = cached
    if (result.status !== 'ok') return { usable: false, reason: result.reason }
    const s = (ms: number): number => Math.round(ms / 1000)
    if (now - cached.at > maxAgeMs) {
      return { usable: false, reason: `metrics are stale (read ${s(now - cached.at)} s ago)` }
    }
    if (result.sampledAt !== undefined && now - result.sampledAt > maxAgeMs) {
      const age = s(now - result.sampledAt)
      return { usable: false, reason: `metrics are stale (newest sample ${age} s old)` }
    }
    const unscraped = result.unscraped ?? []
    if (unscraped.length === 0) return { usable: true, snapshot: result.snapshot }
    const names = unscraped.join(', ')
    const reason = `incomplete metrics: Prometheus fails to scrape ${names}`
    return { usable: false, reason, snapshot: result.snapshot, unscraped }
  }

  /** Follows the outage of one flag's evidence; returns the notice this step carries, if any. */
  function track(flagKey: string, e: Evidence, now: number): MetricsNotice | undefined {
    const outage = outages.get(flagKey)
    if (e.usable) {
      outages.delete(flagKey)
      if (outage?.alerted === undefined) return undefined
      return { kind: 'metrics-restored', reason: outage.alerted, since: outage.since }
    }
    // Not judged for longer than the grace (paused, another guard held the lease): a new outage.
    const current =
      outage === undefined || now - outage.last > graceMs ? { since: now, last: now } : outage
    current.last = now
    outages.set(flagKey, current)
    if (current.alerted !== undefined || now - current.since < graceMs) return undefined
    current.alerted = e.reason
    return {
      kind: 'metrics-unavailable',
      reason: e.reason,
      since: current.since,
      ...(e.unscraped === undefined ? {} : { unscraped: e.unscraped }),
    }
  }

  function judge(state: RolloutState, e: Evidence, now: number): StepResult {
    if (e.usable) return stepRollout(state, e.snapshot, now)
    const judged = e.snapshot === undefined ? undefined : stepRollout(state, e.snapshot, now)
    if (judged?.decision.kind === 'rollback') {
      const reason = `${judged.decision.reason} (on ${e.reason})`
      return { ...judged, decision: { ...judged.decision, reason } }
    }
    // Hold where we are (this stage's share), with the numbers there are and why.
    const {
      criterion: _criterion,
      needed: _needed,
      ...here
    } = stepRollout(state, none(state), now).decision
    const numbers = judged && {
      baseline: judged.decision.baseline,
      canary: judged.decision.canary,
      checks: judged.decision.checks,
    }
    const reason = `holding: ${e.reason}${e.unscraped === undefined ? '' : '; not promoting on it'}`
    return { state, decision: { ...here, ...numbers, kind: 'hold', reason } }
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
      // Not running, or at 100 % (only the dwell counts there): no metrics needed.
      const percentage = state.plan.stages[state.stage]?.percentage ?? 0
      if (state.phase !== 'running' || percentage >= 100)
        return stepRollout(state, none(state), now)
      const e = evidence(state, now)
      const notice = track(state.flagKey, e, now)
      const result = judge(state, e, now)
      return notice === undefined ? result : { ...result, notice }
    },
  }
}

/** No evidence at all. */
function none(state: RolloutState): MetricsSnapshot {
  return { flagKey: state.flagKey, sessionsFrom: 'assigned', variants: {} }
}
