import { FlagsError, METADATA_KEYS } from '@canarykit/core'
import { resolveCriteria } from '../judge/criteria.js'
import type { RolloutRecord } from '../persistence/rollout-record.js'
import { validatePlan } from '../stages/plan.js'
import type { StartOptions } from './guard-options.js'
import type { RolloutLogic } from './rollout-logic.js'

/**
 * The record of a new rollout at stage 0, checked against the flag as it is on disk. A rollout
 * started again after a rollback (same variants) gets back the targeting the rollback removed,
 * so its cohorts survive.
 *
 * @internal
 */
export function startRecord(
  flagKey: string,
  options: StartOptions,
  context: {
    readonly current: RolloutRecord | undefined
    readonly flag: Readonly<Record<string, unknown>>
    readonly now: number
    readonly logic: RolloutLogic
    readonly file: string
  },
): RolloutRecord {
  const { baseline, canary, actor, reason } = options
  const { current, flag, now, logic, file } = context
  const name = JSON.stringify(flagKey)
  const refuse = (message: string): never => {
    throw new FlagsError('INVALID_ARGUMENT', message, { source: file })
  }
  const variants = flag['variants']
  if (typeof variants !== 'object' || variants === null) return refuse(`there is no flag ${name}`)
  for (const variant of [baseline, canary]) {
    if (!Object.hasOwn(variants, variant))
      refuse(`flag ${name} has no variant ${JSON.stringify(variant)}`)
  }
  if (baseline === canary) refuse('the baseline and the canary must be different variants')
  if (current?.phase === 'running' || current?.phase === 'paused') {
    refuse(`flag ${name} already has a ${current.phase} rollout; roll it back first`)
  }
  const plan = options.plan ?? logic.defaultPlan
  const criteria = options.criteria ?? logic.defaultCriteria
  const issues = [...validatePlan(plan), ...resolveCriteria(criteria).issues]
  if (issues.length > 0) {
    throw new FlagsError('INVALID_ARGUMENT', `cannot start a rollout of ${name}`, { issues })
  }
  const metadata = flag['metadata'] as Record<string, unknown> | undefined
  const pinned = metadata?.[METADATA_KEYS.pinEpoch]
  const restore =
    current?.phase === 'rolled-back' && current.baseline === baseline && current.canary === canary
  return {
    flagKey,
    baseline,
    canary,
    plan,
    criteria,
    phase: 'running',
    stage: 0,
    stageStartedAt: now,
    epoch: current?.epoch ?? (typeof pinned === 'number' ? pinned : 0),
    lastDecision: {
      kind: 'continue',
      reason: `started by ${actor}: ${reason}`,
      criterion: 'manual',
      at: now,
      actor,
    },
    ...(restore && current.originalTargeting !== undefined
      ? { originalTargeting: current.originalTargeting }
      : {}),
    ...(restore && current.originalDefaultVariant !== undefined
      ? { originalDefaultVariant: current.originalDefaultVariant }
      : {}),
  }
}
