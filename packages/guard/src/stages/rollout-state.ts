import { FlagsError } from '@canarykit/core'
import { DEFAULT_CRITERIA, resolveCriteria } from '../judge/criteria.js'
import type { Criteria, Plan, RolloutState } from '../types.js'
import { DEFAULT_PLAN, validatePlan } from './plan.js'

export interface CreateRolloutStateOptions {
  readonly flagKey: string
  readonly baseline: string
  readonly canary: string
  /** Default {@link DEFAULT_PLAN}. */
  readonly plan?: Plan
  /** Default {@link DEFAULT_CRITERIA}. */
  readonly criteria?: Criteria
  /** Milliseconds since the epoch: the first stage starts now. */
  readonly now: number
  /** Sticky-session epoch to start from. Default 0. */
  readonly epoch?: number
}

/**
 * A new running rollout at its first stage. Throws INVALID_CONFIG (with every issue) for an
 * unusable plan or criteria, or when baseline and canary are the same variant.
 *
 * @example
 * const state = createRolloutState({ flagKey: 'new-search', baseline: 'v1', canary: 'v2', now: Date.now() })
 */
export function createRolloutState(options: CreateRolloutStateOptions): RolloutState {
  const plan = options.plan ?? DEFAULT_PLAN
  const criteria = options.criteria ?? DEFAULT_CRITERIA
  const issues = [...validatePlan(plan), ...resolveCriteria(criteria).issues]
  if (options.baseline === options.canary) {
    issues.push({ path: '/canary', message: 'must differ from the baseline variant' })
  }
  if (issues.length > 0) {
    throw new FlagsError('INVALID_CONFIG', `cannot start the rollout of "${options.flagKey}"`, {
      issues: issues.map((issue) => ({ ...issue, flagKey: options.flagKey })),
    })
  }
  return {
    flagKey: options.flagKey,
    baseline: options.baseline,
    canary: options.canary,
    plan,
    criteria,
    phase: 'running',
    stage: 0,
    stageStartedAt: options.now,
    epoch: options.epoch ?? 0,
  }
}
