import { FlagsError } from '../errors.js'
import type { FlagDefinition } from '../load/flags-document.js'
import type { FlagValue, JsonObject } from '../types.js'
import type { Condition } from './conditions.js'

/** Percentages are written as integer weights out of this total (0.01 % resolution). */
export const PERCENT_SCALE = 100

/** A cohort that is served a fixed variant before the percentage split applies. */
export interface Cohort {
  readonly when: Condition
  /** The variant to serve; defaults to the canary. */
  readonly serve?: string
}

/** Options for {@link rolloutTargeting}. */
export interface RolloutOptions {
  readonly baseline: string
  readonly canary: string
  /** Share of the remaining units (0 to 100) sent to the canary. */
  readonly percentage: number
  /** Checked in order before the split; a matching cohort decides. */
  readonly cohorts?: readonly (Cohort | Condition)[]
  /**
   * A JsonLogic expression to bucket by instead of flagd's default (flag key + targeting key).
   * A missing targeting key (and a bucketing value that is not a string) falls to the baseline.
   */
  readonly bucketBy?: JsonObject
}

/**
 * A percentage split as flagd `fractional` buckets, canary first: raising the percentage only
 * moves units from the baseline to the canary, never back (monotonic).
 *
 * @example
 * percentageSplit('stable', 'canary', 10)
 * // {"fractional": [["canary", 1000], ["stable", 9000]]}
 */
export function percentageSplit(
  baseline: string,
  canary: string,
  percentage: number,
  bucketBy?: JsonObject,
): JsonObject {
  if (!Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
    throw new FlagsError(
      'INVALID_ARGUMENT',
      `a percentage must be between 0 and 100, got ${percentage}`,
    )
  }
  const canaryWeight = Math.round(percentage * PERCENT_SCALE)
  const buckets = [
    [canary, canaryWeight],
    [baseline, 100 * PERCENT_SCALE - canaryWeight],
  ]
  return { fractional: bucketBy === undefined ? buckets : [bucketBy, ...buckets] }
}

/**
 * flagd targeting for a rollout: cohorts in priority order, then a monotonic percentage split.
 * The output is plain flagd JSON: flagd itself evaluates it the same way.
 *
 * @example
 * rolloutTargeting({ baseline: 'stable', canary: 'canary', percentage: 5, cohorts: [beta(), internal({ emailDomains: ['example.com'] })] })
 */
export function rolloutTargeting(options: RolloutOptions): JsonObject {
  const split = percentageSplit(
    options.baseline,
    options.canary,
    options.percentage,
    options.bucketBy,
  )
  const cohorts = (options.cohorts ?? []).map((cohort) =>
    isCohort(cohort) ? cohort : { when: cohort },
  )
  if (cohorts.length === 0) return split
  return {
    if: [...cohorts.flatMap((cohort) => [cohort.when, cohort.serve ?? options.canary]), split],
  }
}

function isCohort(value: Cohort | Condition): value is Cohort {
  return Object.keys(value).length <= 2 && 'when' in value
}

/** Options for {@link rolloutFlag}. */
export interface RolloutFlagOptions extends Omit<RolloutOptions, 'baseline' | 'canary'> {
  readonly variants: {
    readonly baseline: readonly [string, FlagValue]
    readonly canary: readonly [string, FlagValue]
  }
  readonly metadata?: Readonly<Record<string, string | number | boolean>>
}

/**
 * A complete flag definition for a rollout: the baseline is the default variant, so a missing
 * targeting key, a disabled rule or an error all land on the baseline.
 *
 * @example
 * rolloutFlag({ variants: { baseline: ['stable', 'v1'], canary: ['canary', 'v2'] }, percentage: 1 })
 */
export function rolloutFlag(options: RolloutFlagOptions): FlagDefinition {
  const [baseline, baselineValue] = options.variants.baseline
  const [canary, canaryValue] = options.variants.canary
  const { variants: _variants, metadata, ...rollout } = options
  return {
    state: 'ENABLED',
    variants: { [baseline]: baselineValue, [canary]: canaryValue },
    defaultVariant: baseline,
    targeting: rolloutTargeting({ ...rollout, baseline, canary }),
    ...(metadata === undefined ? {} : { metadata }),
  }
}
