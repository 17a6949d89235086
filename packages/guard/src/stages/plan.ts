import type { FlagsIssue } from '@canarykit/core'
import type { Plan, RolloutState, Stage } from '../types.js'

/**
 * The product's default plan: 1 % of sessions for 10 minutes, 10 % for 30, 50 % for 60, then
 * 100 %.
 *
 * @example
 * createRolloutState({ flagKey: 'new-search', baseline: 'v1', canary: 'v2', plan: DEFAULT_PLAN, now: Date.now() })
 */
export const DEFAULT_PLAN: Plan = {
  stages: [
    { percentage: 1, minDurationS: 600 },
    { percentage: 10, minDurationS: 1800 },
    { percentage: 50, minDurationS: 3600 },
    { percentage: 100 },
  ],
}

/**
 * Problems with a plan: at least one stage, percentages in (0, 100] that never decrease, dwell
 * times ≥ 0.
 *
 * @example
 * validatePlan({ stages: [] }) // [{ path: '/plan/stages', message: 'needs at least one stage' }]
 */
export function validatePlan(plan: unknown, path = '/plan'): FlagsIssue[] {
  const issues: FlagsIssue[] = []
  const stages = isObject(plan) ? plan['stages'] : undefined
  if (!Array.isArray(stages))
    return [{ path: `${path}/stages`, message: 'must be an array of stages' }]
  if (stages.length === 0) return [{ path: `${path}/stages`, message: 'needs at least one stage' }]
  let previous = 0
  stages.forEach((stage: unknown, i) => {
    const at = `${path}/stages/${i}`
    if (!isObject(stage)) {
      issues.push({ path: at, message: 'must be an object { percentage, minDurationS? }' })
      return
    }
    const percentage = stage['percentage']
    if (typeof percentage !== 'number' || !(percentage > 0 && percentage <= 100)) {
      issues.push({
        path: `${at}/percentage`,
        message: `must be in (0, 100], got ${JSON.stringify(percentage)}`,
      })
    } else if (percentage < previous) {
      issues.push({
        path: `${at}/percentage`,
        message: `must not be below the previous stage (${previous})`,
      })
    } else {
      previous = percentage
    }
    const dwell = stage['minDurationS']
    if (dwell !== undefined && (typeof dwell !== 'number' || !(dwell >= 0 && dwell < Infinity))) {
      issues.push({
        path: `${at}/minDurationS`,
        message: `must be a number of seconds ≥ 0, got ${JSON.stringify(dwell)}`,
      })
    }
  })
  return issues
}

/**
 * The canary's share of units being served in `state`, 0..100 (0 after a rollback).
 *
 * @example
 * servedPercentage(state) // 10 while the 10 % stage runs
 */
export function servedPercentage(state: RolloutState): number {
  if (state.phase === 'rolled-back') return 0
  const stages: readonly Stage[] = Array.isArray(state.plan?.stages) ? state.plan.stages : []
  const index = state.phase === 'completed' ? stages.length - 1 : state.stage
  return stages[index]?.percentage ?? 0
}

/**
 * Whether leaving stage `index` completes the rollout: it is the last stage, or the next one is
 * the last and needs no judging (100 %, or no dwell time).
 *
 * @internal
 */
export function completesAfter(plan: Plan, index: number): boolean {
  const last = plan.stages.length - 1
  if (index >= last) return true
  const final = plan.stages[last]
  return (
    index + 1 === last &&
    (final === undefined || final.percentage >= 100 || !((final.minDurationS ?? 0) > 0))
  )
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
