import { FlagsError, percentageSplit, type JsonObject, type JsonValue } from '@canarykit/core'

/**
 * The flag's targeting with its canary share set to `percentage`. Cohort branches in front (an
 * `if` chain) are kept; only the final percentage split is written — as core's canary-first
 * `fractional`, weights out of 10,000 — so raising the share only ever adds units. Targeting the
 * guard cannot read as "cohorts, then a baseline/canary split" is refused, never guessed at.
 *
 * @internal
 */
export function withCanaryShare(
  targeting: JsonObject | undefined,
  rollout: { readonly flagKey: string; readonly baseline: string; readonly canary: string },
  percentage: number,
): JsonObject {
  const { baseline, canary } = rollout
  const split = (bucketBy?: JsonObject): JsonObject =>
    percentageSplit(baseline, canary, percentage, bucketBy)
  const refuse = (why: string): never => {
    throw new FlagsError(
      'INVALID_CONFIG',
      `flag ${JSON.stringify(rollout.flagKey)}: the guard cannot set the canary share: ${why}`,
      {
        issues: [
          {
            flagKey: rollout.flagKey,
            path: `/flags/${pointer(rollout.flagKey)}/targeting`,
            message: why,
          },
        ],
      },
    )
  }

  function rewrite(rule: JsonObject | undefined): JsonObject {
    if (rule === undefined || Object.keys(rule).length === 0) return split()
    const fractional = fractionalArgs(rule)
    if (fractional !== undefined) {
      const [first] = fractional
      const bucketBy = isObject(first) ? first : undefined
      for (const bucket of fractional.slice(bucketBy === undefined ? 0 : 1)) {
        const name = Array.isArray(bucket) ? bucket[0] : undefined
        if (name !== baseline && name !== canary) {
          refuse(
            `its fractional split has a bucket other than ${JSON.stringify(baseline)} and ${JSON.stringify(canary)}`,
          )
        }
      }
      return split(bucketBy)
    }
    const chain = rule['if']
    if (Object.keys(rule).length === 1 && Array.isArray(chain) && chain.length >= 2) {
      if (chain.length % 2 === 0) return { if: [...chain, split()] }
      const last = chain[chain.length - 1]
      const head = chain.slice(0, -1)
      if (last === null || last === baseline) return { if: [...head, split()] }
      if (isObject(last)) return { if: [...head, rewrite(last)] }
      return refuse(
        `the final branch of its "if" serves ${JSON.stringify(last)}, not the baseline or a split`,
      )
    }
    return refuse('it is neither a fractional split nor an "if" chain of cohorts ending in one')
  }

  return rewrite(targeting)
}

function fractionalArgs(rule: JsonObject): JsonValue[] | undefined {
  const args = rule['fractional']
  return Object.keys(rule).length === 1 && Array.isArray(args) ? args : undefined
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * One JSON-pointer segment.
 *
 * @internal
 */
export function pointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}
