/**
 * fast-check arbitraries for flagd flag documents, targeting rules and evaluation contexts, used by
 * the differential test against `@openfeature/flagd-core` (docs/flagd-compatibility.md).
 *
 * Structure is always schema-valid (one variant type per flag, flat metadata, object targeting),
 * because canarykit rejects what flagd-core only warns about. Targeting may deviate from
 * `targeting.json` (odd arities, non-list arguments): both engines tolerate that.
 *
 * What the generator deliberately avoids, each a documented divergence (see the doc section named):
 * - non-ASCII text anywhere ("Non-ASCII bucketing values"): flagd-core hashes UTF-16 code units;
 * - `$` in rule literals ("$ref substitution"): flagd-core substitutes refs with `replaceAll`,
 *   which expands `$&`, `$'`... in the evaluator text;
 * - `$ref` inside `$evaluators` ("Nested $ref"): flagd-core resolves those depending on key order;
 * - custom operators inside `map`/`filter`/`all`/`some`/`none`/`reduce` bodies ("Custom operators
 *   inside iterators"): flagd-core throws there;
 * - inherited `Object.prototype` names as attribute names or var paths ("Inherited property
 *   names");
 * - a non-string targeting key ("Fractional with a non-string targeting key");
 * - an evaluator that is not a rule object ("An evaluator that is not a rule");
 * - a context-dependent initial value of `reduce` ("reduce over a literal list").
 *
 * Other divergences are recognised by the comparison instead (arbitraries/engines.ts): extension
 * operators, unresolved `$ref`s, array/object results, and json-logic-engine's accidents (rows
 * 14-17 of the doc's table), for which it runs flagd-core with those accidents removed.
 */
import fc from 'fast-check'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonRecord = { [key: string]: Json }

/** Names that rules are likely to produce (booleans, numbers and `cat` results included). */
export const VARIANT_NAMES = [
  'a',
  'b',
  'c',
  'ab',
  'true',
  'false',
  '0',
  '1',
  '2',
  '-1',
  '1.5',
  'null',
  'on',
  'off',
  'x.y',
] as const

/** Operators json-logic-engine adds to JsonLogic, which flagd (Go) and canarykit refuse. */
export const EXTENSION_OPERATORS = [
  '??',
  'val',
  'exists',
  'get',
  'keys',
  'length',
  'pipe',
  'try',
  'throw',
  'preserve',
  'every',
  'not',
  '?:',
  'eachKey',
] as const

export const EVALUATOR_NAMES = ['e1', 'e2', 'e3'] as const
const FLAG_KEYS = ['f', 'flag-a', 'my.flag', 'x1', 'color-experiment'] as const

/** Context attribute names (never an inherited `Object.prototype` name). */
const ATTRIBUTES = [
  'a',
  'b',
  'n',
  's',
  'email',
  'version',
  'user',
  'list',
  'nums',
  'users',
  'dot.key',
  'x',
] as const
/** `var` paths at the top level: attributes, nested and escaped paths, flagd's injected data. */
const OUTER_PATHS = [
  ...ATTRIBUTES,
  'user.name',
  'user.tier',
  'user.age',
  'user.name.first',
  'list.0',
  'nums.1',
  'users.0.name',
  's.length',
  'dot\\.key',
  'missing',
  'user.missing',
  'targetingKey',
  '$flagd.flagKey',
  '$flagd.timestamp',
  '$flagd',
  '$flagd.other',
  '',
] as const
/** `var` paths inside `map`/`filter`/`all`/`some`/`none` (relative to the element). */
const ELEMENT_PATHS = ['', 'name', 'n', 'x', '0', 'missing', '$flagd.flagKey'] as const
/** `var` paths inside `reduce`. */
const REDUCE_PATHS = ['accumulator', 'current', 'current.n', 'accumulator.0', ''] as const

/** ASCII only (hashing), no `$` (ref substitution), a few separators that matter to paths. */
const CHARS = [...'abcxyz0129 .-_@+/\\'] as const
const text = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 6 })

const number = fc.oneof(
  fc.constantFrom(
    0,
    1,
    -1,
    2,
    3,
    10,
    100,
    1.5,
    -2.5,
    0.1,
    1e21,
    2147483647,
    4294967296,
    9007199254740992,
  ),
  fc.integer({ min: -20, max: 20 }),
)
const string = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...VARIANT_NAMES) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      'abc',
      ' 1 ',
      '1e3',
      '0x10',
      'Infinity',
      'NaN',
      '[object Object]',
      '1,2',
      'user-1',
    ),
  },
  { weight: 2, arbitrary: text },
)
export const scalar: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: string },
  { weight: 3, arbitrary: number },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
)

const VERSIONS = [
  '1.0.0',
  '1.2.3',
  '2.0.0',
  '2.1.0',
  '2.0.0-alpha',
  '2.0.0-alpha.1',
  '1.0.0+build.7',
  'v1.0.0',
  'V2.1.0',
  'v1',
  '1',
  '1.2',
  '01.2.3',
  '2.0.0.0',
  'not-a-version',
  '',
  'vv1.0.0',
] as const
const version: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...VERSIONS) },
  { weight: 1, arbitrary: fc.constantFrom(1, 1.2, 2, 0, -1, true, null) },
)
const SEMVER_OPERATORS = ['=', '!=', '<', '<=', '>', '>=', '^', '~', '==', 'x'] as const

/** Where a rule sits: `var` reads the context, an iterated element, or `{accumulator, current}`. */
type Scope = 'outer' | 'element' | 'reduce'

const pathsOf: Record<Scope, readonly string[]> = {
  outer: OUTER_PATHS,
  element: ELEMENT_PATHS,
  reduce: REDUCE_PATHS,
}

const op = (name: string) => (args: Json) => ({ [name]: args }) as Json

/** Lists of 0..max arguments, mostly of the lengths the schema wants. */
function args(arg: fc.Arbitrary<Json>, min: number, max: number): fc.Arbitrary<Json[]> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(arg, { minLength: min, maxLength: max }) },
    { weight: 1, arbitrary: fc.array(arg, { minLength: 0, maxLength: max + 1 }) },
  )
}

/** A rule generator for one scope, memoised by depth. */
function rules(scope: Scope, refs: boolean): fc.Memo<Json> {
  const paths = pathsOf[scope]
  const path = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...paths) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, true, null) },
  )
  const self: fc.Memo<Json> = fc.memo((n) => {
    const leaf: fc.Arbitrary<Json> = fc.oneof(
      { weight: 3, arbitrary: scalar },
      { weight: 3, arbitrary: path.map(op('var')) },
      { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constant({}) },
    )
    if (n <= 1) return leaf
    const sub = self(n - 1)
    const any = fc.oneof({ weight: 2, arbitrary: leaf }, { weight: 3, arbitrary: sub })
    const list = (min: number, max: number) => args(any, min, max)
    const branches: fc.WeightedArbitrary<Json>[] = [
      { weight: 2, arbitrary: leaf },
      {
        weight: 3,
        arbitrary: fc.oneof(
          path.map((p) => ({ var: [p] })),
          fc.tuple(path, scalar).map(([p, d]) => ({ var: [p, d] })),
          fc.tuple(path, sub).map(([p, d]) => ({ var: [p, d] })),
          sub.map(op('var')),
        ),
      },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.array(path, { maxLength: 3 }).map(op('missing')),
          path.map(op('missing')),
          sub.map(op('missing')),
          fc
            .tuple(
              fc.oneof(fc.integer({ min: -1, max: 3 }), scalar),
              fc.array(path, { maxLength: 3 }),
            )
            .map(([need, keys]) => ({ missing_some: [need, keys] })),
        ),
      },
      {
        weight: 4,
        arbitrary: fc.oneof(
          { weight: 4, arbitrary: list(1, 7).map(op('if')) },
          { weight: 1, arbitrary: any.map(op('if')) },
        ),
      },
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.constantFrom('==', '===', '!=', '!==', '<', '<=', '>', '>='),
            fc.oneof(
              { weight: 6, arbitrary: list(2, 2) },
              // The 3-argument (between) form is flagd's for < and <=; other operators get it too.
              { weight: 2, arbitrary: list(3, 3) },
              { weight: 1, arbitrary: list(0, 1) },
              { weight: 1, arbitrary: any },
            ),
          )
          .map(([name, a]) => ({ [name]: a })),
      },
      {
        weight: 3,
        arbitrary: fc.oneof(
          fc
            .tuple(fc.constantFrom('+', '-', '*', '/', '%', 'max', 'min'), list(1, 3))
            .map(([name, a]) => ({ [name]: a })),
          fc
            .tuple(fc.constantFrom('+', '-', '*', '/', '%', 'max', 'min'), any)
            .map(([name, a]) => ({ [name]: a })),
        ),
      },
      {
        weight: 3,
        arbitrary: fc.oneof(
          { weight: 3, arbitrary: list(0, 4).map(op('cat')) },
          { weight: 1, arbitrary: any.map(op('cat')) },
          {
            weight: 2,
            arbitrary: fc
              .tuple(any, any, any)
              .map(([s, from, len]) => ({ substr: [s, from, len] })),
          },
          { weight: 2, arbitrary: fc.tuple(any, any).map(([s, from]) => ({ substr: [s, from] })) },
          { weight: 3, arbitrary: list(2, 2).map(op('in')) },
          { weight: 2, arbitrary: list(0, 3).map(op('merge')) },
        ),
      },
      { weight: 2, arbitrary: iterators(n, any) },
      {
        weight: 3,
        arbitrary: fc.oneof(
          fc.tuple(fc.constantFrom('!', '!!'), any).map(([name, a]) => ({ [name]: a })),
          fc.tuple(fc.constantFrom('!', '!!'), list(1, 1)).map(([name, a]) => ({ [name]: a })),
          fc.tuple(fc.constantFrom('and', 'or'), list(1, 4)).map(([name, a]) => ({ [name]: a })),
        ),
      },
    ]
    if (scope === 'outer') {
      // Custom operators only at the top level: see "Custom operators inside iterators".
      branches.push(
        { weight: 2, arbitrary: stringComparison(any) },
        { weight: 2, arbitrary: semVer(any) },
        { weight: 3, arbitrary: fractional(any) },
      )
      if (refs) {
        branches.push({
          weight: 1,
          arbitrary: fc.constantFrom(...EVALUATOR_NAMES, 'unknown').map((name) => ({ $ref: name })),
        })
      }
    }
    return fc.oneof(...branches)
  })
  return self
}

const elementRules = rules('element', false)
const reduceRules = rules('reduce', false)

function iterators(n: number, any: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  // An iterator body sees the element, whatever scope the iterator itself is in.
  const body = elementRules(Math.max(1, n - 1))
  const selector = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom('list', 'nums', 'users', 's', 'missing').map(op('var')),
    },
    { weight: 2, arbitrary: fc.array(scalar, { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.record({ name: string, n: number }, { noNullPrototype: true }), { maxLength: 3 })
        .map((items) => items as Json),
    },
    { weight: 1, arbitrary: any },
  )
  const reducer = fc.oneof(
    {
      weight: 2,
      arbitrary: fc.constant<Json>({ '+': [{ var: 'accumulator' }, { var: 'current' }] }),
    },
    {
      weight: 1,
      arbitrary: fc.constant<Json>({ '*': [{ var: 'current' }, { var: 'accumulator' }] }),
    },
    {
      weight: 1,
      arbitrary: fc.constant<Json>({ cat: [{ var: 'accumulator' }, { var: 'current' }] }),
    },
    { weight: 2, arbitrary: reduceRules(Math.max(1, n - 1)) },
  )
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom('map', 'filter', 'all', 'some', 'none'), selector, body)
        .map(([name, items, mapper]): Json => ({ [name]: [items, mapper] })),
    },
    {
      weight: 2,
      arbitrary: fc
        // A literal initial value: see "reduce over a literal list" in the doc.
        .tuple(selector, reducer, fc.option(fc.oneof(number, string), { nil: undefined }))
        .map(([items, mapper, initial]): Json => ({
          reduce: initial === undefined ? [items, mapper] : [items, mapper, initial],
        })),
    },
    // Odd arities: both engines either refuse or tolerate these.
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('map', 'filter', 'all', 'some', 'none', 'reduce'),
          fc.array(selector, { maxLength: 1 }),
        )
        .map(([name, a]) => ({ [name]: a })),
    },
  )
}

function stringComparison(any: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  const arg = fc.oneof(
    {
      weight: 2,
      arbitrary: fc.constantFrom('email', 's', 'user.name', 'targetingKey', 'n').map(op('var')),
    },
    { weight: 2, arbitrary: fc.constantFrom('', 'a', 'ab', '@example.com', 'user', 'x') },
    { weight: 1, arbitrary: any },
  )
  return fc
    .tuple(
      fc.constantFrom('starts_with', 'ends_with'),
      fc.oneof(
        { weight: 6, arbitrary: fc.array(arg, { minLength: 2, maxLength: 2 }) },
        { weight: 1, arbitrary: fc.array(arg, { maxLength: 3 }) },
      ),
      any,
    )
    .map(([name, a, single]) => ({ [name]: a.length === 0 && single !== null ? single : a }))
}

function semVer(any: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  const side = fc.oneof(
    { weight: 3, arbitrary: version },
    { weight: 2, arbitrary: fc.constant({ var: 'version' }) },
    { weight: 1, arbitrary: any },
  )
  const operator = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<Json>(...SEMVER_OPERATORS) },
    { weight: 1, arbitrary: any },
  )
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(side, operator, side).map((a) => ({ sem_ver: a })) },
    { weight: 1, arbitrary: fc.array(side, { maxLength: 4 }).map(op('sem_ver')) },
  )
}

/** `fractional`, shorthand or with a bucketing expression; weights include 0, negatives, rules. */
function fractional(
  any: fc.Arbitrary<Json>,
  names: readonly string[] = VARIANT_NAMES,
): fc.Arbitrary<Json> {
  const variant = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<Json>(...names) },
    { weight: 1, arbitrary: fc.constantFrom<Json>(true, false, 0, 1, 1.5, null) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Json>(
        { if: [{ '==': [{ var: 'user.tier' }, 'pro'] }, 'a', 'b'] },
        { var: 'user.tier' },
        {
          fractional: [
            ['a', 1],
            ['b', 1],
          ],
        },
        { cat: ['a', { var: 'n' }] },
      ),
    },
    { weight: 1, arbitrary: any },
  )
  const weight = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<Json>(0, 1, 5, 25, 50, 100, -5, 1000000) },
    { weight: 2, arbitrary: fc.integer({ min: -10, max: 1000 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Json>(2147483647, 2147483648, 1073741824, 1.5, '5', null, true),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Json>(
        { var: 'n' },
        { '*': [{ var: 'n' }, 10] },
        { '-': [100, { var: 'n' }] },
      ),
    },
  )
  const bucket = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(variant, weight).map((b) => b as Json) },
    { weight: 2, arbitrary: variant.map((v) => [v]) },
    { weight: 1, arbitrary: fc.constantFrom<Json>([], ['a', 1, 2], 'a', null, { var: 'bucket' }) },
  )
  const buckets = fc.array(bucket, { minLength: 0, maxLength: 5 })
  const bucketBy = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom<Json>(
        { cat: [{ var: '$flagd.flagKey' }, { var: 'email' }] },
        { cat: [{ var: '$flagd.flagKey' }, { var: 'targetingKey' }] },
        { var: 'email' },
        { var: 'targetingKey' },
        { var: 'user.name' },
        { var: 'n' },
        { var: 'list' },
        'shared-seed',
        '',
      ),
    },
    { weight: 1, arbitrary: text },
    { weight: 1, arbitrary: any },
  )
  return fc.oneof(
    { weight: 4, arbitrary: buckets.map(op('fractional')) },
    {
      weight: 4,
      arbitrary: fc.tuple(bucketBy, buckets).map(([by, b]) => ({ fractional: [by, ...b] })),
    },
    { weight: 1, arbitrary: fc.oneof(fc.constant({ var: 'buckets' }), any).map(op('fractional')) },
  )
}

const outerRules = rules('outer', true)
const evaluatorRules = rules('outer', false)

/** A JSON object with an operator (flags.json wants targeting to be an object). */
function isRuleObject(rule: Json): boolean {
  return (
    rule !== null &&
    typeof rule === 'object' &&
    !Array.isArray(rule) &&
    Object.keys(rule).length > 0
  )
}

/** Attribute reads that targeting conditions typically test. */
const attribute = fc
  .constantFrom(
    'a',
    'n',
    's',
    'email',
    'version',
    'user.tier',
    'user.age',
    'user.name',
    'targetingKey',
    '$flagd.flagKey',
    'list.0',
    'x',
  )
  .map((path): Json => ({ var: path }))
const comparand = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom<Json>(
      'pro',
      'free',
      'a',
      'alice@example.com',
      'user-1',
      '',
      0,
      1,
      10,
      18,
      100,
      null,
      true,
    ),
  },
  { weight: 1, arbitrary: scalar },
)

/** Conditions as flag authors write them: attribute vs literal, membership, flagd's operators. */
function condition(depth: number): fc.Arbitrary<Json> {
  const any = outerRules(Math.max(1, depth - 1))
  const compare = fc
    .tuple(
      fc.constantFrom('==', '===', '!=', '!==', '<', '<=', '>', '>='),
      attribute,
      comparand,
      fc.boolean(),
    )
    .map(([name, left, right, flip]): Json => ({ [name]: flip ? [right, left] : [left, right] }))
  const between = fc
    .tuple(fc.constantFrom('<', '<='), number, attribute, number)
    .map(([name, low, middle, high]): Json => ({ [name]: [low, middle, high] }))
  const member = fc.oneof(
    fc
      .tuple(attribute, fc.array(comparand, { maxLength: 4 }))
      .map(([needle, list]): Json => ({ in: [needle, list] })),
    fc
      .tuple(fc.constantFrom('@', 'example', 'a', 'user'), attribute)
      .map(([needle, text]): Json => ({ in: [needle, text] })),
  )
  const quantified = fc
    .tuple(
      fc.constantFrom('some', 'all', 'none'),
      fc.constantFrom('users', 'nums', 'list'),
      comparand,
    )
    .map(([name, list, value]): Json => ({
      [name]: [{ var: list }, { '==': [{ var: list === 'users' ? 'name' : '' }, value] }],
    }))
  const simple = fc.oneof(
    { weight: 6, arbitrary: compare },
    { weight: 1, arbitrary: between },
    { weight: 2, arbitrary: member },
    { weight: 1, arbitrary: quantified },
    { weight: 2, arbitrary: stringComparison(any) },
    { weight: 2, arbitrary: semVer(any) },
    { weight: 1, arbitrary: attribute.map((read): Json => ({ '!!': read })) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.constantFrom('email', 'user.tier', 'n'), { minLength: 1, maxLength: 2 })
        .map((keys): Json => ({ missing: keys })),
    },
  )
  return fc.oneof(
    { weight: 5, arbitrary: simple },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('and', 'or'), fc.array(simple, { minLength: 1, maxLength: 3 }))
        .map(([name, list]): Json => ({ [name]: list })),
    },
    { weight: 1, arbitrary: simple.map((rule): Json => ({ '!': rule })) },
  )
}

/**
 * A targeting rule, biased towards rules that name the flag's own variants: if-chains over
 * typical conditions and fractional splits, plus arbitrary rules.
 */
export function targetingRule(
  depth: number,
  options: { extensions: boolean },
  names: readonly string[] = VARIANT_NAMES,
): fc.Arbitrary<Json> {
  const any = outerRules(depth)
  const outcome = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<Json>(...names) },
    { weight: 2, arbitrary: fc.constantFrom<Json>(...VARIANT_NAMES) },
    { weight: 1, arbitrary: fc.constantFrom<Json>(null, true, false, 1, 'missing-variant') },
    { weight: 2, arbitrary: outerRules(depth - 1) },
    { weight: 1, arbitrary: fractional(outerRules(depth - 2), names) },
  )
  const test = fc.oneof(
    { weight: 3, arbitrary: condition(depth) },
    { weight: 1, arbitrary: outerRules(depth - 1) },
  )
  const branches: fc.WeightedArbitrary<Json>[] = [
    // flags.json wants an object ("Targeting that is not an object").
    { weight: 3, arbitrary: any.filter(isRuleObject) },
    {
      weight: 6,
      arbitrary: fc.array(fc.tuple(test, outcome), { minLength: 1, maxLength: 3 }).chain((pairs) =>
        fc.option(outcome, { nil: undefined, freq: 3 }).map((otherwise): Json => ({
          if: [...pairs.flat(), ...(otherwise === undefined ? [] : [otherwise])],
        })),
      ),
    },
    { weight: 3, arbitrary: fractional(outerRules(depth - 1), names) },
    // The boolean shorthand: a bare condition names the variant "true" or "false".
    { weight: 1, arbitrary: condition(depth) },
  ]
  if (options.extensions) branches.push({ weight: 1, arbitrary: extensionRule(any) })
  return fc.oneof(...branches)
}

/** A rule using one of json-logic-engine's extension operators somewhere. */
function extensionRule(any: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return fc
    .tuple(
      fc.constantFrom(...EXTENSION_OPERATORS),
      fc.array(any, { minLength: 1, maxLength: 2 }),
      fc.boolean(),
      any,
    )
    .map(([name, a, nested, outer]) => {
      const rule = { [name]: a }
      return nested ? { if: [outer, rule, 'a'] } : rule
    })
}

const metadataValue = fc.oneof(
  text,
  fc.integer({ min: -5, max: 5 }),
  fc.boolean(),
  fc.constantFrom(1.5, 0),
)
const metadata = fc
  .dictionary(
    fc.constantFrom('team', 'owner', 'weight', 'flagSetId', 'version', 'x'),
    metadataValue,
    { maxKeys: 3, noNullPrototype: true },
  )
  .map(
    // flags.json wants `flagSetId` and `version` as strings.
    (entries) =>
      Object.fromEntries(
        Object.entries(entries).map(([key, value]) => [
          key,
          key === 'flagSetId' || key === 'version' ? String(value) : value,
        ]),
      ) as JsonRecord,
  )

const variantValue: Record<'boolean' | 'string' | 'number' | 'object', fc.Arbitrary<Json>> = {
  boolean: fc.boolean(),
  string: fc.oneof(fc.constantFrom('', 'on', 'off', 'red'), text),
  number: number,
  object: fc.oneof(
    fc.constant({}),
    fc.dictionary(fc.constantFrom('k', 'title', 'n', 'nested'), scalar, {
      maxKeys: 3,
      noNullPrototype: true,
    }),
    fc.record({ list: fc.array(scalar, { maxLength: 2 }) }, { noNullPrototype: true }),
  ),
}

export interface FlagOptions {
  readonly depth: number
  readonly extensions: boolean
}

/** One schema-valid flag: variants of one type, a valid or absent default, optional targeting. */
export function flag(options: FlagOptions): fc.Arbitrary<JsonRecord> {
  const shape = fc.tuple(
    fc.constantFrom('boolean', 'string', 'number', 'object'),
    fc.uniqueArray(fc.constantFrom(...VARIANT_NAMES), { minLength: 1, maxLength: 6 }),
  )
  return shape.chain(([type, names]) =>
    fc
      .record(
        {
          state: fc.constantFrom('ENABLED', 'ENABLED', 'ENABLED', 'ENABLED', 'ENABLED', 'DISABLED'),
          names: fc.constant(names),
          values: fc.array(variantValue[type], {
            minLength: 6,
            maxLength: 6,
          }),
          defaultChoice: fc.constantFrom('first', 'last', 'first', 'null', 'empty', 'absent'),
          targeting: fc.oneof(
            { weight: 12, arbitrary: targetingRule(options.depth, options, names) },
            { weight: 1, arbitrary: fc.constant<Json>({}) },
            { weight: 1, arbitrary: fc.constant<Json | undefined>(undefined) },
          ),
          metadata: fc.option(metadata, { nil: undefined }),
        },
        {
          requiredKeys: ['state', 'names', 'values', 'defaultChoice', 'targeting'],
          noNullPrototype: true,
        },
      )
      .map(({ state, names, values, defaultChoice, targeting, metadata: flagMetadata }) => {
        const variants = Object.fromEntries(names.map((name, i) => [name, values[i] as Json]))
        const result: JsonRecord = { state, variants }
        if (defaultChoice === 'first') result['defaultVariant'] = names[0] as string
        if (defaultChoice === 'last') result['defaultVariant'] = names.at(-1) as string
        if (defaultChoice === 'null') result['defaultVariant'] = null
        if (defaultChoice === 'empty') result['defaultVariant'] = ''
        if (targeting !== undefined) result['targeting'] = targeting
        if (flagMetadata !== undefined) result['metadata'] = flagMetadata
        return result
      }),
  )
}

/** A schema-valid flags document with 1..3 flags, maybe `$evaluators` and flag-set metadata. */
export function flagsDocument(options: FlagOptions): fc.Arbitrary<JsonRecord> {
  return fc
    .record(
      {
        flags: fc.uniqueArray(fc.tuple(fc.constantFrom(...FLAG_KEYS), flag(options)), {
          minLength: 1,
          maxLength: 3,
          selector: ([key]) => key,
        }),
        // No `$ref` inside evaluators ("Nested $ref"), and each a rule object ("An evaluator that
        // is not a rule").
        evaluators: fc.dictionary(
          fc.constantFrom(...EVALUATOR_NAMES),
          evaluatorRules(options.depth - 1).filter(isRuleObject),
          { maxKeys: 3, noNullPrototype: true },
        ),
        metadata: metadata,
      },
      { requiredKeys: ['flags'], noNullPrototype: true },
    )
    .map(({ flags, evaluators, metadata: setMetadata }) => {
      const document: JsonRecord = { flags: Object.fromEntries(flags) }
      if (evaluators !== undefined) document['$evaluators'] = evaluators
      if (setMetadata !== undefined) document['metadata'] = setMetadata
      return document
    })
}

/** Any JSON value for a context attribute, nested a little. */
const attributeValue: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.constantFrom<Json>(...VERSIONS) },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    {
      weight: 2,
      arbitrary: fc.dictionary(
        fc.constantFrom('name', 'tier', 'age', 'n', 'x', 'first', '0'),
        tie('value'),
        { maxKeys: 3, noNullPrototype: true },
      ),
    },
  ),
})).value

/** Attributes that make the generated rules' paths hit something. */
const typicalAttributes = fc.record(
  {
    email: fc.constantFrom('alice@example.com', 'bob@example.org', 'x', ''),
    version: version,
    user: fc.record(
      {
        name: fc.oneof(string, fc.record({ first: string }, { noNullPrototype: true })),
        tier: fc.constantFrom('pro', 'free', 'a'),
        age: number,
      },
      { requiredKeys: [], noNullPrototype: true },
    ),
    list: fc.array(scalar, { maxLength: 4 }),
    nums: fc.array(number, { maxLength: 4 }),
    users: fc.array(fc.record({ name: string, n: number }, { noNullPrototype: true }), {
      maxLength: 3,
    }),
    n: number,
    s: string,
    buckets: fc.array(
      fc.tuple(fc.constantFrom(...VARIANT_NAMES), fc.integer({ min: -1, max: 10 })),
      { maxLength: 3 },
    ),
    bucket: fc.tuple(fc.constantFrom(...VARIANT_NAMES), fc.integer({ min: 0, max: 10 })),
  },
  { requiredKeys: [], noNullPrototype: true },
)

/** An evaluation context: typical attributes, random ones, an ASCII targeting key or none. */
export const evaluationContext: fc.Arbitrary<JsonRecord> = fc
  .record(
    {
      typical: typicalAttributes,
      random: fc.dictionary(fc.constantFrom(...ATTRIBUTES), attributeValue, {
        maxKeys: 3,
        noNullPrototype: true,
      }),
      targetingKey: fc.oneof(
        fc.constantFrom('user-1', 'user-2', 'jon@company.com', '', 'alice@example.com'),
        fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
      ),
      // A caller-supplied `$flagd` is overwritten by both engines.
      flagd: fc.constant({ flagKey: 'spoofed', timestamp: 1 }),
    },
    { requiredKeys: ['typical', 'random'], noNullPrototype: true },
  )
  .map(({ typical, random, targetingKey, flagd }) => {
    const context: JsonRecord = { ...(typical as JsonRecord), ...random }
    if (targetingKey !== undefined) context['targetingKey'] = targetingKey
    if (flagd !== undefined) context['$flagd'] = flagd
    return context
  })
