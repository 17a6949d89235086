import { isFlagsError } from '@canarykit/core'
import { describe, expect, it } from 'vitest'
import type { RolloutState } from '../types.js'
import {
  pauseRollout,
  promoteRollout,
  resumeRollout,
  rollbackRollout,
} from './manual-transitions.js'
import { createRolloutState } from './rollout-state.js'

const T0 = Date.parse('2025-05-01T10:00:00Z')
const alice = { actor: 'alice', reason: 'dashboards look fine' }
const START = createRolloutState({ flagKey: 'search', baseline: 'v1', canary: 'v2', now: T0 })

function rejects(action: () => unknown, message: RegExp): void {
  try {
    action()
  } catch (error) {
    expect(isFlagsError(error) && error.code === 'INVALID_ARGUMENT').toBe(true)
    expect((error as Error).message).toMatch(message)
    return
  }
  expect.unreachable('expected INVALID_ARGUMENT')
}

describe('manual transitions', () => {
  it('promotes to the next stage, recording who and why', () => {
    const { state, decision } = promoteRollout(START, 'next', T0 + 1000, alice)
    expect(state).toMatchObject({ stage: 1, phase: 'running', stageStartedAt: T0 + 1000 })
    expect(decision).toMatchObject({
      kind: 'proceed',
      criterion: 'manual',
      reason: 'promoted to 10 % by alice: dashboards look fine',
      stage: 1,
      percentage: 10,
      at: T0 + 1000,
    })
    expect(state.lastDecision).toEqual(decision)
  })

  it('promotes straight to full, and the step into the last stage completes', () => {
    expect(promoteRollout(START, 'full', T0, alice).state).toMatchObject({
      stage: 3,
      phase: 'completed',
    })
    const last = promoteRollout({ ...START, stage: 2 }, 'next', T0, alice)
    expect(last.decision).toMatchObject({
      kind: 'complete',
      reason: 'completed to 100 % by alice: dashboards look fine',
    })
  })

  it('rolls back from running, paused or completed: epoch bumped, 0 % served', () => {
    for (const phase of ['running', 'paused', 'completed'] as const) {
      const { state, decision } = rollbackRollout({ ...START, phase }, T0, {
        actor: 'bob',
        reason: 'pager',
      })
      expect(state).toMatchObject({ phase: 'rolled-back', epoch: 1 })
      expect(decision).toMatchObject({
        kind: 'rollback',
        percentage: 0,
        reason: 'rolled back by bob: pager',
      })
    }
  })

  it('pauses and resumes; resuming restarts the stage evidence and dwell', () => {
    const paused = pauseRollout(START, T0 + 5000, { actor: 'carol', reason: 'spike' })
    expect(paused.state.phase).toBe('paused')
    expect(paused.decision).toMatchObject({
      kind: 'hold',
      reason: 'paused by carol: spike',
      percentage: 1,
    })
    const resumed = resumeRollout(paused.state, T0 + 9000, { actor: 'carol', reason: 'unrelated' })
    expect(resumed.state).toMatchObject({ phase: 'running', stageStartedAt: T0 + 9000 })
    expect(resumed.decision.kind).toBe('continue')
  })

  it('refuses what makes no sense in the current phase', () => {
    const rolledBack: RolloutState = { ...START, phase: 'rolled-back' }
    rejects(
      () => promoteRollout(rolledBack, 'next', T0, alice),
      /cannot promote .*"search".*rolled-back/,
    )
    rejects(() => rollbackRollout(rolledBack, T0, alice), /cannot roll back/)
    rejects(() => pauseRollout({ ...START, phase: 'paused' }, T0, alice), /cannot pause/)
    rejects(() => resumeRollout(START, T0, alice), /cannot resume/)
  })

  it('validates a new rollout', () => {
    try {
      createRolloutState({
        flagKey: 'x',
        baseline: 'a',
        canary: 'a',
        plan: { stages: [{ percentage: 120 }] },
        now: T0,
      })
      expect.unreachable()
    } catch (error) {
      expect(isFlagsError(error) && error.code === 'INVALID_CONFIG').toBe(true)
      expect(isFlagsError(error) ? error.issues.map((i) => i.path) : []).toEqual([
        '/plan/stages/0/percentage',
        '/canary',
      ])
    }
  })
})
