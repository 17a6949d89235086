/**
 * fast-check arbitraries for the code generator's differential test (test/codegen.test.ts):
 * documents whose targeting is mostly the generated "hot subset" (if, and, or, !, !!,
 * comparisons, in, var, cat, fractional, sem_ver, starts_with, ends_with) with every edge of
 * those operators' forms and a few operators outside it mixed in, and contexts holding values
 * only a program can pass (NaN, ±Infinity, -0, functions, class instances, throwing getters).
 */
import fc from 'fast-check'
import {
  evaluationContext,
  scalar,
  VARIANT_NAMES,
  type Json,
  type JsonRecord,
} from './flag-documents.js'

/** Paths the generator handles, and ones it leaves to the closures (escapes, inherited names). */
const PATHS = [
  'a',
  'n',
  's',
  'x',
  'email',
  'version',
  'user',
  'user.name',
  'user.age',
  'user.name.first',
  'list',
  'list.0',
  'nums.1',
  'targetingKey',
  'missing',
  'missing.deep',
  '$flagd.flagKey',
  '$flagd.timestamp',
  '$flagd',
  '$flagd.other',
  'dot\\.key',
  'a.',
  '',
  'constructor',
  'toString',
  's.length',
] as const

const path = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom<Json>(...PATHS) },
  { weight: 1, arbitrary: fc.constantFrom<Json>(0, 1, 1.5, null) },
)

const literalList = fc.oneof(
  { weight: 4, arbitrary: fc.array(scalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.array(scalar, { minLength: 17, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom<Json>([], [null], [[1]], [{}], ['a', null, 0]) },
)

const VERSIONS = [
  '1.0.0',
  '2.0.0',
  '2.1.0',
  'v2.1.0',
  '2.1.0-rc.1',
  '1',
  '1.2',
  'x',
  '01.2.3',
  '',
] as const
const OPERATORS = ['==', '===', '!=', '!==', '<', '<=', '>', '>='] as const

const op = (name: string) => (args: Json) => ({ [name]: args }) as Json

/** A rule mostly from the generated subset. */
export const hotRule: fc.Memo<Json> = fc.memo((n) => {
  const leaf: fc.Arbitrary<Json> = fc.oneof(
    { weight: 3, arbitrary: scalar },
    { weight: 4, arbitrary: path.map(op('var')) },
    { weight: 1, arbitrary: fc.tuple(path, scalar).map(([p, d]) => ({ var: [p, d] })) },
    { weight: 1, arbitrary: path.map((p) => ({ var: [p] })) },
    { weight: 1, arbitrary: literalList },
    { weight: 1, arbitrary: fc.constantFrom<Json>({}, { var: [] }, { var: ['a', 'b', 'c'] }) },
  )
  if (n <= 1) return leaf
  const sub = hotRule(n - 1)
  const any = fc.oneof({ weight: 1, arbitrary: leaf }, { weight: 2, arbitrary: sub })
  const list = (min: number, max: number) => fc.array(any, { minLength: min, maxLength: max })
  const buckets = fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.tuple(fc.constantFrom(...VARIANT_NAMES), fc.integer({ min: -2, max: 100 })),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Json>(['a'], [true, 5], [null, 1], [1.5, 2], [], 'a'),
      },
      { weight: 1, arbitrary: fc.tuple(any, fc.constantFrom<Json>(10, { var: 'n' })) },
    ),
    { maxLength: 4 },
  )
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 4, arbitrary: list(1, 7).map(op('if')) },
    { weight: 1, arbitrary: fc.oneof(any.map(op('if')), fc.constant<Json>({ if: [] })) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...OPERATORS), any, any, fc.boolean())
        .map(([name, a, b, flip]) => ({ [name]: flip ? [b, a] : [a, b] })),
    },
    // Attribute against literal: the generated fast paths.
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...OPERATORS), path.map(op('var')), scalar, fc.boolean())
        .map(([name, a, b, flip]) => ({ [name]: flip ? [b, a] : [a, b] })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...OPERATORS), list(0, 3))
        .map(([name, a]) => ({ [name]: a })),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom('and', 'or'), list(0, 4)).map(([k, a]) => ({ [k]: a })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('!', '!!'), fc.oneof(any, list(0, 2)))
        .map(([k, a]) => ({ [k]: a })),
    },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.tuple(any, literalList).map(([needle, members]) => ({ in: [needle, members] })),
        fc.tuple(any, any).map(([needle, haystack]) => ({ in: [needle, haystack] })),
        list(0, 3).map(op('in')),
      ),
    },
    { weight: 2, arbitrary: fc.oneof(list(0, 4).map(op('cat')), any.map(op('cat'))) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        buckets.map(op('fractional')),
        fc.tuple(any, buckets).map(([by, b]) => ({ fractional: [by, ...b] })),
        any.map(op('fractional')),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc
          .tuple(
            fc.oneof(any, fc.constant<Json>({ var: 'version' })),
            fc.constantFrom('=', '!=', '<', '<=', '>', '>=', '^', '~', 'x'),
            fc.constantFrom(...VERSIONS),
          )
          .map(([left, o, right]) => ({ sem_ver: [left, o, right] })),
        list(0, 3).map(op('sem_ver')),
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('starts_with', 'ends_with'), fc.oneof(list(2, 2), list(0, 3), any))
        .map(([k, a]) => ({ [k]: a })),
    },
    // Operators outside the subset, so that generated code calls closures.
    {
      weight: 1,
      arbitrary: fc.oneof(
        list(1, 2).map(op('+')),
        list(1, 2).map(op('/')),
        fc.constantFrom<Json>({ missing: ['a', 'user.name'] }, { merge: [[1], { var: 'list' }] }),
        fc.tuple(any, any).map(([s, from]) => ({ substr: [s, from] })),
        any.map((body) => ({ some: [{ var: 'list' }, body] })),
      ),
    },
  )
})

/** A one- or two-flag document with hot targeting and variants of one type. */
export const hotDocument: fc.Arbitrary<JsonRecord> = fc
  .array(
    fc.record({
      type: fc.constantFrom('string', 'boolean', 'number'),
      names: fc.uniqueArray(fc.constantFrom(...VARIANT_NAMES), { minLength: 1, maxLength: 6 }),
      defaultChoice: fc.constantFrom('first', 'last', 'none'),
      targeting: hotRule(5).filter(
        (rule) =>
          rule !== null &&
          typeof rule === 'object' &&
          !Array.isArray(rule) &&
          Object.keys(rule).length > 0,
      ),
    }),
    { minLength: 1, maxLength: 2 },
  )
  .map((flags) => {
    const entries = flags.map(({ type, names, defaultChoice, targeting }, i): [string, Json] => {
      const value = (name: string, index: number): Json =>
        type === 'string' ? `v-${name}` : type === 'number' ? index : index % 2 === 0
      const flag: JsonRecord = {
        state: 'ENABLED',
        variants: Object.fromEntries(names.map((name, index) => [name, value(name, index)])),
        targeting,
      }
      if (defaultChoice !== 'none') {
        flag['defaultVariant'] = (defaultChoice === 'first' ? names[0] : names.at(-1)) as string
      }
      return [i === 0 ? 'hot' : 'hot.two', flag]
    })
    return { flags: Object.fromEntries(entries) }
  })

/** Values a program (not JSON) can put in a context. */
const programValue = fc.constantFrom<unknown>(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  () => 'fn',
  new Date(0),
  Object.create(null) as unknown,
  { valueOf: () => 3, toString: () => 'three' },
  [Number.NaN],
  '2.1.0',
  '2.1.0-rc.1',
  undefined,
)

/** JSON contexts, sometimes with program values and a throwing getter mixed in. */
export const hotContext: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    evaluationContext,
    fc.dictionary(
      fc.constantFrom('a', 'n', 's', 'x', 'user', 'list', 'version', 'targetingKey'),
      programValue,
      {
        maxKeys: 3,
        noNullPrototype: true,
      },
    ),
    fc.option(fc.constantFrom('a', 'n', 'x'), { freq: 8 }),
  )
  .map(([json, program, throwing]) => {
    const context: Record<string, unknown> = { ...json, ...program }
    if (throwing !== null) {
      Object.defineProperty(context, throwing, {
        enumerable: true,
        get: () => {
          throw new Error(`getter ${throwing} failed`)
        },
      })
    }
    return context
  })
