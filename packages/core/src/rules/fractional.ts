import { compileArgList, type OperatorCompiler } from './operator.js'
import { dynamic, fold, opaque, type RuleFn } from './compiled.js'
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
 * `{"fractional": [bucketBy?, [variant, weight], ...]}`. As in flagd, the decision is made on the
 * evaluated arguments: a string first argument is the bucketing value and the rest are buckets;
 * otherwise every argument is a bucket and the flag key + targeting key is hashed (so a first
 * argument that evaluates to a bucket, or a single rule yielding the bucket list, also works).
 */
export const compileFractional: OperatorCompiler = (raw, scope, path) => {
  // The flag key's bytes are hashed once; a key ending inside a surrogate pair is hashed whole.
  const flagKeyState = /[\ud800-\udbff]$/.test(scope.flagKey)
    ? undefined
    : murmur3Prefix(scope.flagKey)
  const hashWithFlagKey = (key: string): number =>
    flagKeyState === undefined ? murmur3(scope.flagKey + key) : murmur3Resume(flagKeyState, key)
  const split = (
    args: readonly unknown[],
    root: EvaluationContext,
    buckets: Distribution | null | undefined,
    bucketsAfterFirst: Distribution | null | undefined,
  ): unknown => {
    const [first] = args
    if (typeof first === 'string') {
      const distribution =
        bucketsAfterFirst !== undefined ? bucketsAfterFirst : toDistribution(args.slice(1))
      return distribution === null ? null : pick(distribution, murmur3(first))
    }
    const key = defaultBucketingKey(root)
    if (key === null) return null
    const distribution = buckets !== undefined ? buckets : toDistribution(args)
    return distribution === null ? null : pick(distribution, hashWithFlagKey(key))
  }

  const list = compileArgList(raw, scope, path)
  if ('spread' in list) {
    const spread = list.spread.fn
    return dynamic((data, root) => {
      const value = spread(data, root)
      return split(Array.isArray(value) ? value : [value], root, undefined, undefined)
    })
  }
  const { items } = list
  // Literal buckets (the usual case) are validated once, at load.
  const rest = items.slice(1)
  const buckets = items.every((item) => item.isConstant)
    ? toDistribution(items.map((item) => item.value))
    : undefined
  const bucketsAfterFirst = rest.every((item) => item.isConstant)
    ? toDistribution(rest.map((item) => item.value))
    : undefined
  const first = items[0]
  let fn: RuleFn
  if (buckets && flagKeyState !== undefined && typeof items[0]?.value !== 'string') {
    // The common rollout: literal buckets, bucketed by flag key + targeting key. Inlined.
    const { cumulative, variants, total } = buckets
    // Below 2^21 the product stays under 2^53, so plain double arithmetic is exact.
    const scale = total < 2097152 ? total / 4294967296 : 0
    fn = (_data, root) => {
      const key = root.targetingKey
      if (typeof key !== 'string' || key === '') return null
      const hash = murmur3Resume(flagKeyState, key)
      const bucket = scale === 0 ? bucketOf(hash, total) : Math.floor(hash * scale)
      for (let i = 0; i < cumulative.length; i++) {
        if ((cumulative[i] as number) > bucket) return variants[i]
      }
      return null
    }
  } else if (buckets !== undefined) {
    const values = items.map((item) => item.value)
    fn = (_data, root) => split(values, root, buckets, bucketsAfterFirst)
  } else if (first !== undefined && bucketsAfterFirst !== undefined) {
    // A computed bucketing value (`{"cat": [...]}`) before literal buckets.
    const by = first.fn
    const restValues = rest.map((item) => item.value)
    fn = (data, root) => {
      const value = by(data, root)
      if (typeof value !== 'string')
        return split([value, ...restValues], root, undefined, undefined)
      return bucketsAfterFirst === null ? null : pick(bucketsAfterFirst, murmur3(value))
    }
  } else {
    const fns = items.map((item) => item.fn)
    fn = (data, root) =>
      split(
        fns.map((item) => item(data, root)),
        root,
        undefined,
        undefined,
      )
  }
  // Without a literal bucketing value the targeting key is read, so only that form folds.
  return first?.isConstant === true && typeof first.value === 'string'
    ? opaque(fold(items, fn))
    : dynamic(fn)
}
