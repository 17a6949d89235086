import { bucketOf } from '../../hash/bucket.js'
import { murmur3, murmur3Resume, type Murmur3State } from '../../hash/murmur3.js'
import type { EvaluationContext } from '../../types.js'
import { pick, toDistribution } from '../fractional.js'
import { InvalidArgument } from '../invalid-argument.js'
import { comparable } from '../ops-compare.js'
import { truthy } from '../truthy.js'
import type { Undecided } from './code-generator.js'

/**
 * The slow and general cases generated code calls, passed in as the parameter `h` (never read
 * from globals). Each is the closure compiler's semantics for that case, built from the same
 * functions, so a generated fast path and its fallback cannot drift apart.
 */
export const runtimeHelpers = Object.freeze({
  truthy,
  /** What `var` makes of a read: missing or a function → `null`. */
  settle: (value: unknown): unknown =>
    value === undefined || value === null || typeof value === 'function' ? null : value,
  /** The loose comparisons with JsonLogic's coercion checks (ops-compare.ts). */
  eq: (a: unknown, b: unknown): boolean => a == comparable(b, a, false),
  ne: (a: unknown, b: unknown): boolean => a != comparable(b, a, false),
  lt: (a: unknown, b: unknown): boolean => (a as number) < (comparable(b, a, false) as number),
  le: (a: unknown, b: unknown): boolean => (a as number) <= (comparable(b, a, false) as number),
  gt: (a: unknown, b: unknown): boolean => (a as number) > (comparable(b, a, false) as number),
  ge: (a: unknown, b: unknown): boolean => (a as number) >= (comparable(b, a, false) as number),
  /** `in` with a haystack that is not a literal list (ops-string.ts). */
  inValue: (needle: unknown, haystack: unknown): boolean => {
    const container = haystack || []
    if (typeof container === 'string') return container.includes(String(needle))
    if (Array.isArray(container)) return container.includes(needle)
    throw new InvalidArgument('in needs an array or a string')
  },
  /** A rule value at an outcome position that is not a literal: the engine resolves it. */
  undecided: (value: unknown): Undecided => ({ value }),
  bucketOf,
  murmur3,
  murmur3Resume,
  /**
   * `fractional` with a computed bucketing value that is not a string: the value becomes the
   * first bucket and the flag key + targeting key is hashed (fractional.ts).
   */
  fractionalOther: (
    value: unknown,
    rest: readonly unknown[],
    root: EvaluationContext,
    flagKeyState: Murmur3State,
  ): unknown => {
    const key = root.targetingKey
    if (typeof key !== 'string' || key === '') return null
    const distribution = toDistribution([value, ...rest])
    return distribution === null ? null : pick(distribution, murmur3Resume(flagKeyState, key))
  },
})

export type RuntimeHelpers = typeof runtimeHelpers
