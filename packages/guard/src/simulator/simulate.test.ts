import { describe, expect, it } from 'vitest'
import type { Decision } from '../types.js'
import { parseScenario } from './scenario.js'
import { simulate } from './simulate.js'
import { simulateRun } from './simulate-run.js'

const SHORT = {
  stages: [
    { percentage: 10, minDurationS: 120 },
    { percentage: 50, minDurationS: 600 },
    { percentage: 100 },
  ],
}

describe('simulate', () => {
  it('is deterministic: the same scenario, runs, seed and policy give the same report', () => {
    const scenario = parseScenario({ name: 'short', durationS: 600, plan: SHORT })
    const first = simulate(scenario, { runs: 5, seed: 11 })
    expect(simulate(scenario, { runs: 5, seed: 11 })).toEqual(first)
    expect(simulate(scenario, { runs: 5, seed: 12 }).canaryCallsServed).not.toEqual(
      first.canaryCallsServed,
    )
  })

  it('reports outcomes, times, calls served and the highest share reached', () => {
    const scenario = parseScenario({ name: 'short', durationS: 1800, plan: SHORT })
    const report = simulate(scenario, { runs: 4, seed: 1 })
    expect(report).toMatchObject({
      scenario: 'short',
      runs: 4,
      seed: 1,
      policy: 'canarykit',
      outcomes: { completed: 4, rolledBack: 0, inProgress: 0 },
      rollbackTimeS: null,
      maxPercentageReached: { '100': 4 },
      proceedsBelowMinSample: 0,
    })
    expect(report.completeTimeS?.p50).toBeGreaterThanOrEqual(720)
    expect(report.canaryCallsServed.p50).toBeGreaterThan(100 * 120 * 0.1)
  })

  it('drives the real stage machine: every decision is a Decision with a reason', () => {
    const scenario = parseScenario({
      name: 'bad',
      durationS: 600,
      canary: { errorRate: 0.2 },
      plan: SHORT,
    })
    const decisions: Decision[] = []
    const result = simulateRun(scenario, 3, {
      policy: 'canarykit',
      onDecision: (d) => decisions.push(d),
    })
    expect(result.outcome).toBe('rolled-back')
    expect(result.rollbackCriterion).toBe('error-rate')
    expect(decisions.at(-1)).toMatchObject({
      kind: 'rollback',
      percentage: 0,
      criterion: 'error-rate',
    })
    expect(decisions.at(-1)?.at).toBe(result.endS * 1000)
    expect(decisions.every((d) => d.reason.length > 0)).toBe(true)
  })

  it('applies canary changes at their time', () => {
    const scenario = parseScenario({
      name: 'late',
      durationS: 2000,
      plan: { stages: [{ percentage: 20, minDurationS: 1800 }, { percentage: 100 }] },
      canaryChanges: [{ atS: 900, errorRate: 0.2 }],
    })
    const result = simulateRun(scenario, 5, { policy: 'canarykit' })
    expect(result.outcome).toBe('rolled-back')
    expect(result.endS).toBeGreaterThan(900)
    expect(result.endS).toBeLessThan(1200)
  })

  it('runs the threshold policy: it proceeds on dwell time alone', () => {
    const scenario = parseScenario({
      name: 'tiny',
      durationS: 600,
      traffic: { rps: 0.2 },
      plan: SHORT,
    })
    const report = simulate(scenario, { runs: 10, seed: 2, policy: 'threshold' })
    expect(report.policy).toBe('threshold')
    expect(report.proceedsBelowMinSample).toBeGreaterThan(0)
    expect(simulate(scenario, { runs: 3, seed: 2 }).outcomes.inProgress).toBe(3)
  })

  it('models sticky sessions: after a stage change the canary share of calls catches up', () => {
    const plan = { stages: [{ percentage: 50, minDurationS: 600 }, { percentage: 100 }] }
    const fluid = parseScenario({ name: 'fluid', durationS: 60, plan })
    const sticky = parseScenario({
      name: 'sticky',
      durationS: 60,
      plan,
      traffic: { sessionDurationS: 300 },
    })
    const fluidCalls = simulateRun(fluid, 9, { policy: 'canarykit' }).canaryCalls
    const stickyCalls = simulateRun(sticky, 9, { policy: 'canarykit' }).canaryCalls
    expect(fluidCalls).toBeGreaterThan(2500) // ~50 % of 6,000 calls at once
    expect(stickyCalls).toBeLessThan(fluidCalls / 2) // new sessions only
  })
})
