import {
  beta,
  internal,
  region,
  rolloutFlag,
  tier,
  type Condition,
  type FlagDefinition,
} from '@canarykit/core'
import type { VariantArg } from './init-options.js'

/** What `canarykit init` builds a rollout flag from. */
export interface ScaffoldOptions {
  readonly baseline: VariantArg
  readonly canary: VariantArg
  readonly tiers?: readonly string[]
  readonly regions?: readonly string[]
  readonly beta?: boolean
  readonly internalDomains?: readonly string[]
  readonly internalIds?: readonly string[]
  readonly percentage: number
}

/**
 * A rollout flag built with core's segment builders, so it is plain flagd JSON: the baseline is
 * the default variant; internal users, beta opt-ins, the tiers and the regions get the canary;
 * everyone else is split by `percentage` (flagd `fractional`, canary first, so the guard can raise
 * it monotonically).
 */
export function scaffoldFlag(options: ScaffoldOptions): FlagDefinition {
  const cohorts: Condition[] = []
  const { internalDomains = [], internalIds = [], tiers = [], regions = [] } = options
  if (internalDomains.length > 0 || internalIds.length > 0) {
    cohorts.push(internal({ emailDomains: internalDomains, ids: internalIds }))
  }
  if (options.beta === true) cohorts.push(beta())
  if (tiers.length > 0) cohorts.push(tier(tiers))
  if (regions.length > 0) cohorts.push(region(regions))
  return rolloutFlag({
    variants: { baseline: options.baseline, canary: options.canary },
    percentage: options.percentage,
    cohorts,
  })
}
