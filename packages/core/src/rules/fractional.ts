import { compileArgs, type OperatorCompiler } from './operator.js'
import { dynamic, fold, RuleError, type Compiled, type RuleFn } from './compiled.js'
import { bucketOf } from '../hash/bucket.js'
import { murmur3, murmur3Prefix, murmur3Resume } from '../hash/murmur3.js'
import type { EvaluationContext } from '../types.js'

/** flagd caps the sum of weights at the largest 32-bit signed integer. */
const MAX_TOTAL_WEIGHT = 2147483647

/** Buckets validated and accumulated: `cumulative[i]` is the weight of buckets 0..i. */
interface Distribution {
  readonly variants: readonly unknown[]
  readonly cumulative: readonly number[]
  readonly total: number
}

/**
 * flagd's bucket list, or `null` when it is malformed (not a list, 0 or >2 elements, a variant
 * that is not a string/number/boolean/null, a non-integer weight, or a total above 2^31-1).
 * Negative weights count as zero.
 */
export function toDistribution(buckets: readonly unknown[]): Distribution | null {
  const variants: unknown[] = []
  const cumulative: number[] = []
  let total = 0
  for (const bucket of buckets) {
    if (!Array.isArray(bucket) || bucket.length === 0 || bucket.length > 2) return null
    const variant: unknown = bucket[0] ?? null
    if (
      variant !== null &&
      typeof variant !== 'string' &&
      typeof variant !== 'number' &&
      typeof variant !== 'boolean'
    ) {
      return null
    }
    let weight = 1
    if (bucket.length === 2) {
      const raw: unknown = bucket[1]
      if (typeof raw !== 'number' || !Number.isInteger(raw)) return null
      weight = Math.max(0, raw)
    }
    total += weight
    variants.push(variant)
    cumulative.push(total)
  }
  if (total > MAX_TOTAL_WEIGHT) return null
  return { variants, cumulative, total }
}

/** The variant of the bucket `hash` falls in (flagd "v2": `floor(hash * total / 2^32)`). */
export function pick(distribution: Distribution, hash: number): unknown {
  const bucket = bucketOf(hash, distribution.total)
  const { cumulative, variants } = distribution
  for (let i = 0; i < cumulative.length; i++) {
    if ((cumulative[i] as number) > bucket) return variants[i]
  }
  return null
}

/** The string flagd hashes by default: the flag key then the targeting key, no separator. */
function defaultBucketingKey(root: EvaluationContext): string | null {
  const key = root.targetingKey
  return typeof key === 'string' && key !== '' ? key : null
}

/**
 * `{"fractional": [bucketBy?, [variant, weight], ...]}`. When the first argument evaluates to a
 * string it is the bucketing value; otherwise the flag key + targeting key is hashed.
 */
export const compileFractional: OperatorCompiler = (raw, scope, path) => {
  if (!Array.isArray(raw))
    throw new RuleError('fractional takes a list of [variant, weight] buckets', path)
  const args = compileArgs(raw, scope, path)
  // The flag key's bytes are hashed once; a key ending inside a surrogate pair is hashed whole.
  const flagKeyState = /[\ud800-\udbff]$/.test(scope.flagKey)
    ? undefined
    : murmur3Prefix(scope.flagKey)
  const firstIsBucket = Array.isArray(raw[0])
  const buckets = firstIsBucket ? args : args.slice(1)
  const bucketBy: Compiled | undefined = firstIsBucket ? undefined : args[0]

  // Literal buckets (the usual case) are validated once, at load.
  const fixed = buckets.every((bucket) => bucket.isConstant)
    ? toDistribution(buckets.map((b) => b.value))
    : undefined
  const bucketFns = buckets.map((bucket) => bucket.fn)
  const distributionFor: (data: unknown, root: EvaluationContext) => Distribution | null =
    fixed !== undefined
      ? () => fixed
      : (data, root) => toDistribution(bucketFns.map((fn) => fn(data, root)))

  if (bucketBy === undefined) {
    // Reads the targeting key, so never constant.
    return dynamic((data, root) => {
      const key = defaultBucketingKey(root)
      if (key === null) return null
      const distribution = distributionFor(data, root)
      return distribution === null
        ? null
        : pick(
            distribution,
            flagKeyState === undefined
              ? murmur3(scope.flagKey + key)
              : murmur3Resume(flagKeyState, key),
          )
    })
  }
  const by = bucketBy.fn
  const fn: RuleFn = (data, root) => {
    const value = by(data, root)
    // flagd-core: a non-string first argument is treated as a (malformed) bucket.
    if (typeof value !== 'string') return null
    const distribution = distributionFor(data, root)
    return distribution === null ? null : pick(distribution, murmur3(value))
  }
  return fold(args, fn, path)
}
