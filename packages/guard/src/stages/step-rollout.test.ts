import { describe, expect, it } from 'vitest'
import { snapshotOf, type VariantSpec } from '../judge/metrics-fixture.js'
import type { MetricsSnapshot } from '../metrics/metrics-snapshot.js'
import type { RolloutState } from '../types.js'
import { createRolloutState } from './rollout-state.js'
import { stepRollout } from './step-rollout.js'

const T0 = Date.parse('2025-05-01T10:00:00Z')
const MIN = 60_000

const START = createRolloutState({
  flagKey: 'search',
  baseline: 'baseline',
  canary: 'canary',
  now: T0,
})

function at(stage: number, fields: Partial<RolloutState> = {}): RolloutState {
  return { ...START, stage, ...fields }
}

/** Healthy traffic for a stage at `pct` % with `canaryCalls` canary calls (sessions in proportion). */
function healthy(
  pct: number,
  canaryCalls: number,
  canary: Partial<VariantSpec> = {},
): MetricsSnapshot {
  const baselineCalls = Math.round((canaryCalls * (100 - pct)) / pct)
  return snapshotOf(
    {
      calls: baselineCalls,
      errors: Math.round(baselineCalls / 100),
      sessions: Math.round(baselineCalls / 10),
    },
    {
      calls: canaryCalls,
      errors: Math.round(canaryCalls / 100),
      sessions: Math.round(canaryCalls / 10),
      ...canary,
    },
  )
}

describe('stepRollout', () => {
  it.each<[string, RolloutState, MetricsSnapshot, number, Record<string, unknown>]>([
    [
      'continues within the dwell time when nothing is wrong',
      at(0),
      healthy(1, 300),
      5 * MIN,
      { kind: 'continue', criterion: 'dwell', stage: 0, percentage: 1 },
    ],
    [
      'holds below the minimum sample, saying how much more per variant',
      at(0),
      healthy(1, 20, { sessions: 2, errors: 10 }),
      20 * MIN,
      { kind: 'hold', criterion: 'sample', needed: { sessions: 3, calls: 30 }, percentage: 1 },
    ],
    [
      'rolls back on a failed criterion, even within the dwell time',
      at(0),
      healthy(1, 200, { errors: 20 }),
      2 * MIN,
      { kind: 'rollback', criterion: 'error-rate', stage: 0, percentage: 0 },
    ],
    [
      'proceeds once the dwell passed with enough data and nothing failing',
      at(0),
      healthy(1, 600),
      10 * MIN,
      { kind: 'proceed', stage: 1, percentage: 10 },
    ],
    [
      'holds on a sample ratio mismatch instead of blaming the canary',
      at(1),
      healthy(10, 6000, { sessions: 1500 }),
      40 * MIN,
      { kind: 'hold', criterion: 'srm', stage: 1, percentage: 10 },
    ],
    [
      'holds at the last guarded stage until every criterion is shown within its limit',
      at(2),
      healthy(50, 2000),
      61 * MIN,
      { kind: 'hold', criterion: 'error-rate', stage: 2, percentage: 50 },
    ],
    [
      'completes from the last guarded stage when every criterion passes',
      at(2),
      healthy(50, 100_000),
      61 * MIN,
      { kind: 'complete', stage: 3, percentage: 100 },
    ],
  ])('%s', (_, state, metrics, elapsed, expected) => {
    const { state: next, decision } = stepRollout(state, metrics, T0 + elapsed)
    expect(decision).toMatchObject({ at: T0 + elapsed, ...expected })
    expect(next.lastDecision).toEqual(decision)
    expect(decision.reason.length).toBeGreaterThan(20)
    if (decision.kind === 'rollback') {
      expect(next).toMatchObject({
        phase: 'rolled-back',
        epoch: state.epoch + 1,
        stage: state.stage,
      })
    } else if (decision.kind === 'proceed') {
      expect(next).toMatchObject({
        phase: 'running',
        stage: state.stage + 1,
        stageStartedAt: T0 + elapsed,
      })
    } else if (decision.kind === 'complete') {
      expect(next).toMatchObject({ phase: 'completed', stage: 3, stageStartedAt: T0 + elapsed })
    } else {
      expect({ ...next, lastDecision: undefined }).toEqual({ ...state, lastDecision: undefined })
    }
  })

  it('puts the reason and the numbers into every decision', () => {
    const { decision } = stepRollout(at(0), healthy(1, 200, { errors: 20 }), T0 + 2 * MIN)
    expect(decision.reason).toMatch(
      /^rolling back at 1 %: error rate: canary 10\.00 % \[.+\] vs baseline 1\.00 % \[.+\]; allowed: canary ≤ baseline \+0\.50 pp/,
    )
    expect(decision.canary).toMatchObject({ calls: 200, errors: 20, sessions: 20 })
    expect(decision.baseline.calls).toBe(19_800)
    expect(decision.checks.map((c) => c.criterion)).toEqual([
      'error-rate',
      'latency',
      'success-rate',
      'srm',
    ])
    const hold = stepRollout(at(0), healthy(1, 20, { sessions: 2 }), T0 + MIN).decision
    expect(hold.reason).toBe(
      'holding at 1 %: need 3 more canary sessions and 30 more canary calls (at least 50 calls and 5 sessions per variant before any verdict)',
    )
    expect(hold.checks).toEqual([])
  })

  it('is deterministic: the same state, evidence and clock give the same answer', () => {
    const metrics = healthy(10, 5000, { errors: 80 })
    expect(stepRollout(at(1), metrics, T0 + 5 * MIN)).toEqual(
      stepRollout(at(1), metrics, T0 + 5 * MIN),
    )
  })

  it('never rolls back on flapping evidence that stays within the limits', () => {
    // Error bursts come and go every few checks; the cumulative rate stays near the baseline's.
    let state = at(0)
    const kinds: string[] = []
    for (let check = 1; check <= 120; check++) {
      const calls = check * 5
      const errors = Math.round(calls * 0.01) + (Math.floor(check / 3) % 2 === 0 ? 1 : 0)
      const metrics = healthy(1, calls, { errors, sessions: Math.max(1, Math.round(calls / 10)) })
      const result = stepRollout(state, metrics, T0 + check * 5000)
      kinds.push(result.decision.kind)
      state = result.state
      if (state.stage !== 0) break
    }
    expect(kinds).not.toContain('rollback')
    expect(kinds.at(-1)).toBe('proceed')
  })

  it('judges no evidence from another stage (treats it as no data)', () => {
    const metrics = { ...healthy(1, 200, { errors: 20 }), stage: T0 - 1 }
    expect(stepRollout(at(0), metrics, T0 + 2 * MIN).decision).toMatchObject({
      kind: 'hold',
      criterion: 'sample',
    })
  })

  it('holds while paused and leaves the state as the pause left it', () => {
    const paused = at(1, {
      phase: 'paused',
      lastDecision: {
        ...stepRollout(at(1), healthy(10, 10), T0).decision,
        criterion: 'manual',
        reason: 'paused by alice: checking logs',
      },
    })
    const { state, decision } = stepRollout(paused, healthy(10, 200, { errors: 50 }), T0 + MIN)
    expect(state).toBe(paused)
    expect(decision).toMatchObject({
      kind: 'hold',
      criterion: 'manual',
      reason: 'holding at 10 %: paused by alice: checking logs',
    })
  })

  it('has nothing to judge once completed or rolled back', () => {
    for (const phase of ['completed', 'rolled-back'] as const) {
      const done = at(3, { phase })
      const { state, decision } = stepRollout(done, healthy(10, 200, { errors: 50 }), T0)
      expect(state).toBe(done)
      expect(decision).toMatchObject({
        kind: 'hold',
        reason: `nothing to judge: the rollout is ${phase}`,
      })
    }
  })

  it('holds with the problems when the plan or criteria in the state are unusable', () => {
    const broken = at(0, { criteria: { alpha: 2 }, plan: { stages: [] } })
    const { decision } = stepRollout(broken, healthy(1, 600), T0 + 20 * MIN)
    expect(decision.kind).toBe('hold')
    expect(decision.reason).toMatch(
      /cannot be judged.*\/plan\/stages: needs at least one stage.*\/criteria\/alpha/,
    )
    const garbage = { ...START, plan: undefined, criteria: null } as unknown as RolloutState
    expect(stepRollout(garbage, healthy(1, 600), T0).decision.reason).toMatch(
      /\/plan\/stages: must be an array/,
    )
    const lost = stepRollout({ ...START, stage: 9 }, healthy(1, 600), T0).decision
    expect(lost.reason).toMatch(/no stage 9 in the plan/)
    const foreign = { flagKey: 'search' } as unknown as MetricsSnapshot
    expect(stepRollout(START, foreign, T0).decision).toMatchObject({ kind: 'hold' })
  })

  it('completes a plan that ends below 100 % after its last dwell, and a 100 % stage after its dwell', () => {
    const plan = {
      stages: [
        { percentage: 5, minDurationS: 60 },
        { percentage: 20, minDurationS: 60 },
      ],
    }
    const last = { ...START, plan, stage: 1 }
    expect(stepRollout(last, healthy(20, 100_000), T0 + 30_000).decision.kind).toBe('continue')
    const done = stepRollout(last, healthy(20, 100_000), T0 + 61_000)
    expect(done.decision).toMatchObject({ kind: 'complete', stage: 1, percentage: 20 })
    expect(done.state.stageStartedAt).toBe(T0)

    const full = { ...START, plan: { stages: [{ percentage: 100, minDurationS: 60 }] } }
    expect(stepRollout(full, healthy(50, 10), T0 + 1000).decision.kind).toBe('continue')
    expect(stepRollout(full, healthy(50, 10), T0 + 60_000).decision).toMatchObject({
      kind: 'complete',
      percentage: 100,
    })
  })
})
