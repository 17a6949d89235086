import type { Outcome } from '@canarykit/core'
import { describe, expect, it } from 'vitest'
import { createMetricsRecorder } from '../metrics/metrics-recorder.js'
import { createRolloutState } from './rollout-state.js'
import { createRolloutLogic } from './create-rollout-logic.js'

const T0 = Date.parse('2025-05-01T10:00:00Z')

/** Serves `sessions` sessions of 10 calls at the stage's share; canary errors at `canaryErrorRate`. */
function traffic(
  recorder: ReturnType<typeof createMetricsRecorder>,
  sessions: number,
  share: number,
  canaryErrorRate: number,
  offset = 0,
): void {
  for (let s = 0; s < sessions; s++) {
    const unitKey = `session-${offset + s}`
    const variant = (s * 7919) % 1000 < share * 1000 ? 'v2' : 'v1'
    recorder.assigned({ flagKey: 'search', variant, unitKey, overridden: false })
    for (let c = 0; c < 10; c++) {
      const n = s * 10 + c
      const error = variant === 'v2' ? n % Math.round(1 / canaryErrorRate) === 0 : n % 100 === 0
      const outcome: Outcome = {
        flagKey: 'search',
        variant,
        operation: 'search',
        unitKey,
        latencyMs: 100 + (n % 50),
        error,
        success: !error,
        overridden: false,
      }
      recorder.record(outcome)
    }
  }
}

describe('createRolloutLogic', () => {
  it('judges what the recorder saw for the current stage, and starts fresh evidence per stage', () => {
    const recorder = createMetricsRecorder()
    const logic = createRolloutLogic(recorder)
    let state = createRolloutState({ flagKey: 'search', baseline: 'v1', canary: 'v2', now: T0 })
    logic.stageStarted(state, T0)
    traffic(recorder, 10_000, 0.01, 0.01)
    let result = logic.step(state, T0 + 11 * 60_000)
    expect(result.decision).toMatchObject({ kind: 'proceed', percentage: 10 })
    state = result.state
    logic.stageStarted(state, state.stageStartedAt)
    const fresh = recorder.snapshot('search', state.stageStartedAt).variants
    expect(Object.values(fresh).map((v) => [v.calls, v.sessions, v.latency.count])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ])

    traffic(recorder, 2000, 0.1, 0.2, 10_000)
    result = logic.step(state, state.stageStartedAt + 60_000)
    expect(result.decision).toMatchObject({
      kind: 'rollback',
      criterion: 'error-rate',
      percentage: 0,
    })
    expect(result.state).toMatchObject({ phase: 'rolled-back', epoch: 1 })
  })

  it('offers the defaults and the manual transitions', () => {
    const logic = createRolloutLogic(createMetricsRecorder())
    expect(logic.defaultPlan.stages.map((s) => s.percentage)).toEqual([1, 10, 50, 100])
    expect(logic.defaultCriteria).toMatchObject({ errorRate: { maxIncrease: 0.005 } })
    const state = createRolloutState({ flagKey: 'search', baseline: 'v1', canary: 'v2', now: T0 })
    expect(logic.pause(state, T0, { actor: 'a', reason: 'b' }).state.phase).toBe('paused')
  })
})
