/**
 * Adversarial documents and contexts: `load` throws nothing but FlagsError, `evaluate` never
 * throws, every call completes (bounded by construction: these tests finish within vitest's
 * default timeout), and no prototype is ever touched.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createEngine, isFlagsError, type Engine, type Resolution } from '../src/index.js'
import { EXTENSION_OPERATORS, type Json } from './arbitraries/flag-documents.js'

const FUZZ_RUNS = Number(process.env['FUZZ_RUNS'] ?? 300)
const SEED = Number(process.env['FUZZ_SEED'] ?? 20260802)

const DEFAULTS = [false, 'code-default', -7, { code: 'default' }] as const
const REASONS = new Set(['STATIC', 'TARGETING_MATCH', 'DEFAULT', 'DISABLED', 'ERROR'])
const ERROR_CODES = new Set([
  'FLAG_NOT_FOUND',
  'PARSE_ERROR',
  'TYPE_MISMATCH',
  'GENERAL',
  'INVALID_CONTEXT',
])

/** The own properties (with descriptors) of the built-in prototypes, to detect any change. */
function prototypeSnapshot(): string {
  const describe = (target: object): string[] =>
    Reflect.ownKeys(target).map((key) => {
      const descriptor = Object.getOwnPropertyDescriptor(target, key)
      const shape = descriptor === undefined ? '' : Object.keys(descriptor).join(',')
      return `${String(key)}:${shape}:${typeof descriptor?.value}`
    })
  return JSON.stringify(
    [Object.prototype, Array.prototype, Function.prototype, String.prototype].map(describe),
  )
}

let snapshot = ''
beforeAll(() => {
  snapshot = prototypeSnapshot()
})
afterAll(() => {
  expectUnpolluted()
})

function expectUnpolluted(): void {
  const probe: Record<string, unknown> = {}
  expect(probe['polluted']).toBeUndefined()
  expect(probe['tier']).toBeUndefined()
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype)
  expect(prototypeSnapshot()).toBe(snapshot)
}

/** `load` either works or throws a FlagsError. */
function loadOrReject(engine: Engine, document: unknown): boolean {
  try {
    engine.load(document as never)
    return true
  } catch (error) {
    expect(isFlagsError(error), String(error)).toBe(true)
    if (process.env['FUZZ_DEBUG']) console.log(String(error).slice(0, 160))
    return false
  }
}

/** Evaluates in every type; each result must be a well-formed resolution. */
function evaluateEverywhere(
  engine: Engine,
  flagKey: string,
  context: unknown,
): Resolution<unknown>[] {
  return DEFAULTS.map((defaultValue) => {
    let result: Resolution<unknown> | undefined
    expect(() => {
      result = engine.evaluate(flagKey, defaultValue as never, context as never)
    }).not.toThrow()
    const resolution = result as Resolution<unknown>
    expect(REASONS.has(resolution.reason), resolution.reason).toBe(true)
    if (resolution.reason === 'ERROR') {
      expect(ERROR_CODES.has(resolution.errorCode)).toBe(true)
      expect(resolution.value).toBe(defaultValue)
    } else if (resolution.variant === undefined) {
      expect(resolution.value).toBe(defaultValue)
    } else {
      expect(typeof resolution.value).toBe(typeof defaultValue)
    }
    return resolution
  })
}

function flagDoc(targeting: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    flags: {
      f: {
        state: 'ENABLED',
        variants: { a: 'A', b: 'B', true: 'T', false: 'F' },
        defaultVariant: 'a',
        targeting,
      },
    },
    ...extra,
  }
}

/** Loads a one-flag document and evaluates `f` against each context. */
function loadAndEvaluate(
  document: unknown,
  contexts: readonly unknown[] = [{}],
): Resolution<unknown>[] {
  const engine = createEngine({ clock: () => 0 })
  if (!loadOrReject(engine, document)) return []
  return contexts.flatMap((context) => evaluateEverywhere(engine, 'f', context))
}

describe('random documents and contexts', () => {
  const key = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'var',
        'if',
        '==',
        '<',
        'in',
        'cat',
        'map',
        'reduce',
        'fractional',
        'sem_ver',
        'missing',
        '!',
        '+',
        '/',
        'merge',
        'starts_with',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ...EXTENSION_OPERATORS,
        '$ref',
        '__proto__',
        'constructor',
        'prototype',
        'toString',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  )
  const value = fc.oneof(
    fc.constantFrom<Json>(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      1e308,
      '',
      'a',
      '__proto__',
      'constructor',
      '$flagd.flagKey',
      'targetingKey',
    ),
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  )
  const rule = fc.letrec<{ rule: Json }>((tie) => ({
    rule: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 2, arbitrary: value },
      { weight: 1, arbitrary: fc.array(tie('rule'), { maxLength: 4 }) },
      {
        weight: 3,
        arbitrary: fc.tuple(key, tie('rule')).map(([name, args]): Json => ({ [name]: args })),
      },
    ),
  })).rule
  const operation = fc.tuple(key, rule).map(([name, args]): Json => ({ [name]: args }))
  const flat = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean())
  const names = fc.constantFrom('a', 'true', '__proto__', 'constructor', 'prototype')
  /** Documents that are structurally valid often enough to reach evaluation. */
  const document = fc.record(
    {
      flags: fc.dictionary(
        fc.constantFrom('f', '__proto__', 'constructor', 'toString', 'x'),
        fc.record(
          {
            state: fc.oneof(
              { weight: 20, arbitrary: fc.constantFrom<Json>('ENABLED', 'DISABLED') },
              { weight: 1, arbitrary: fc.constant<Json>('bogus') },
            ),
            variants: fc.oneof(
              {
                weight: 8,
                arbitrary: fc.dictionary(names, fc.string({ maxLength: 4 }), { minKeys: 1 }),
              },
              {
                weight: 1,
                arbitrary: fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), value),
              },
            ),
            defaultVariant: fc.oneof(
              { weight: 20, arbitrary: fc.constant<Json>(null) },
              { weight: 1, arbitrary: fc.constantFrom<Json>('a', '__proto__', 'missing') },
            ),
            targeting: fc.oneof(
              { weight: 4, arbitrary: operation },
              { weight: 1, arbitrary: rule },
            ),
            metadata: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'm'), flat),
          },
          { requiredKeys: ['state', 'variants'] },
        ),
        { minKeys: 1, maxKeys: 3 },
      ),
      $evaluators: fc.dictionary(fc.constantFrom('e', '__proto__', 'constructor', 'a.b'), rule),
      metadata: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'm'), flat),
    },
    { requiredKeys: ['flags'] },
  )
  const context = fc.anything({
    key: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'targetingKey',
      '$flagd',
      'a',
      'user',
      'flagKey',
    ),
    maxDepth: 3,
    withNullPrototype: true,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
    withBoxedValues: true,
  })

  // Generous for a loaded CI machine; a longer FUZZ_RUNS gets proportionally more.
  const timeout = Math.max(30_000, FUZZ_RUNS * 100)
  test(
    `${FUZZ_RUNS} documents: load throws only FlagsError, evaluate never throws`,
    { timeout },
    () => {
      let loaded = 0
      fc.assert(
        fc.property(
          fc.oneof({ weight: 6, arbitrary: document }, { weight: 1, arbitrary: fc.jsonValue() }),
          fc.array(context, { maxLength: 3 }),
          (doc, contexts) => {
            for (const input of [doc, JSON.stringify(doc)]) {
              const engine = createEngine({ clock: () => 0 })
              if (!loadOrReject(engine, input)) continue
              loaded++
              for (const flagKey of [...engine.flagKeys(), '__proto__', 'constructor', 'missing']) {
                for (const ctx of contexts) evaluateEverywhere(engine, flagKey, ctx)
              }
              expect(() => engine.evaluateAll(contexts[0] as never)).not.toThrow()
            }
            expectUnpolluted()
          },
        ),
        { numRuns: FUZZ_RUNS, seed: SEED },
      )
      // Enough documents get past validation for evaluation to be exercised.
      expect(loaded).toBeGreaterThan(FUZZ_RUNS / 10)
    },
  )
})

describe('prototype keys everywhere', () => {
  const text = `{
    "__proto__": {"polluted": "document"},
    "metadata": {"__proto__": "set", "constructor": "c"},
    "$evaluators": {
      "__proto__": {"==": [1, 1]},
      "constructor": {"var": "__proto__.polluted"},
      "prototype": {"in": ["x", {"var": "constructor.prototype"}]}
    },
    "flags": {
      "__proto__": {"state": "ENABLED", "variants": {"__proto__": "p", "constructor": "c"},
        "defaultVariant": "__proto__", "metadata": {"__proto__": "m"},
        "targeting": {"if": [{"$ref": "__proto__"}, "constructor", "__proto__"]}},
      "constructor": {"state": "ENABLED", "variants": {"a": {"__proto__": {"polluted": "variant"}}, "b": {"x": 1}},
        "defaultVariant": "a", "targeting": {"if": [{"$ref": "constructor"}, "b", {"$ref": "prototype"}]}},
      "data": {"state": "ENABLED", "variants": {"a": {"__proto__": {"polluted": "variant"}}}, "defaultVariant": "a"},
      "prototype": {"state": "ENABLED", "variants": {"true": true, "false": false},
        "targeting": {"merge": [{"var": "__proto__"}, {"var": "constructor"}, {"var": "prototype"}]}}
    }
  }`

  test('in flags, variants, metadata, $evaluators and contexts', () => {
    const engine = createEngine()
    expect(loadOrReject(engine, text)).toBe(true)
    expect(loadOrReject(createEngine(), JSON.parse(text) as unknown)).toBe(true)
    const contexts: unknown[] = [
      JSON.parse(
        '{"__proto__": {"polluted": "context", "tier": "pro"}, "constructor": {"prototype": {"polluted": 1}}}',
      ) as unknown,
      { ['__proto__']: { polluted: 'literal' } },
      Object.assign(Object.create(null) as object, { constructor: 'x', prototype: 'y' }),
      {},
    ]
    for (const flagKey of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']) {
      for (const context of contexts) evaluateEverywhere(engine, flagKey, context)
    }
    const proto = engine.evaluate('__proto__', 'x', {})
    expect(proto).toMatchObject({ value: 'c', variant: 'constructor', reason: 'TARGETING_MATCH' })
    expect(engine.evaluate('toString', 'x', {})).toMatchObject({
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    })
    expect(engine.flagSetMetadata()).toEqual({ ['__proto__']: 'set', constructor: 'c' })
    expect(() => engine.evaluateAll(contexts[0] as never)).not.toThrow()
    expectUnpolluted()
  })

  test('a variant value with a __proto__ key stays data', () => {
    const engine = createEngine()
    engine.load(text)
    const result = engine.evaluate('data', {}, {})
    expect(result.variant).toBe('a')
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype)
    expect(Object.hasOwn(result.value, '__proto__')).toBe(true)
    expectUnpolluted()
  })
})

describe('hostile contexts', () => {
  const rules: Json[] = [
    { var: 'a' },
    { var: '' },
    { var: 'a.b.c' },
    { if: [{ var: 'targetingKey' }, 'b', 'a'] },
    {
      fractional: [
        ['a', 1],
        ['b', 1],
      ],
    },
    { fractional: [{ var: 'a' }, ['a', 1], ['b', 1]] },
    { in: ['x', { var: 'a' }] },
    { cat: [{ var: 'a' }, { var: 'targetingKey' }] },
    { missing: ['a', 'b.c'] },
    { some: [{ var: 'a' }, { var: '' }] },
    { '==': [{ var: 'a' }, { var: '' }] },
    { sem_ver: [{ var: 'a' }, '>=', '1.0.0'] },
    { starts_with: [{ var: 'targetingKey' }, 'a'] },
  ]
  const throwing = {
    get a(): unknown {
      throw new Error('getter')
    },
    get targetingKey(): unknown {
      throw new Error('getter')
    },
  }
  const trapped = new Proxy(
    {},
    {
      get: () => {
        throw new Error('get trap')
      },
      has: () => {
        throw new Error('has trap')
      },
      ownKeys: () => {
        throw new Error('ownKeys trap')
      },
      getOwnPropertyDescriptor: () => {
        throw new Error('descriptor trap')
      },
      getPrototypeOf: () => {
        throw new Error('prototype trap')
      },
    },
  )
  const revocable = Proxy.revocable({ a: 1 }, {})
  revocable.revoke()
  const contexts: unknown[] = [
    null,
    undefined,
    5,
    'x',
    true,
    Symbol('context'),
    [],
    [1, 2],
    () => 1,
    throwing,
    trapped,
    revocable.proxy,
    { targetingKey: 5 },
    { targetingKey: { a: 1 } },
    { targetingKey: ['a'] },
    { targetingKey: Symbol('key') },
    { targetingKey: null },
    { targetingKey: Number.NaN, a: Number.NaN },
    { targetingKey: 'k', a: Number.POSITIVE_INFINITY },
    { targetingKey: 'k', a: -0 },
    { targetingKey: 'k', a: 10n },
    { targetingKey: 'k', a: new Map([['b', 1]]), b: new Set([1]) },
    { targetingKey: 'k', a: Object.create(null) as unknown },
  ]

  test('never make evaluate throw', () => {
    for (const rule of rules) loadAndEvaluate(flagDoc(rule), contexts)
    expectUnpolluted()
  })

  test('a context that is not an object is refused only by rules that read it', () => {
    const engine = createEngine()
    engine.load({
      flags: {
        static: { state: 'ENABLED', variants: { a: 'A' }, defaultVariant: 'a' },
        targeted: {
          state: 'ENABLED',
          variants: { a: 'A' },
          defaultVariant: 'a',
          targeting: { var: 'x' },
        },
      },
    })
    for (const context of [5, 'x', true]) {
      expect(engine.evaluate('static', 'd', context as never)).toMatchObject({
        reason: 'STATIC',
        value: 'A',
      })
      expect(engine.evaluate('targeted', 'd', context as never)).toMatchObject({
        reason: 'ERROR',
        errorCode: 'INVALID_CONTEXT',
      })
    }
    expect(engine.evaluate('targeted', 'd', null as never)).toMatchObject({
      reason: 'DEFAULT',
      value: 'A',
    })
  })
})

describe('size and depth', () => {
  test('a context 100,000 levels deep', () => {
    let deep: Record<string, unknown> = { leaf: 'b' }
    for (let i = 0; i < 100_000; i++) deep = { a: deep }
    const context = { targetingKey: 'k', a: deep, list: [deep] }
    const results = [
      { var: 'a' },
      { var: '' },
      { var: `${'a.'.repeat(50)}a` },
      { cat: [{ var: 'a' }] },
      { in: [{ var: 'a' }, { var: 'list' }] },
      { '==': [{ var: 'a' }, { var: 'a' }] },
      { merge: [{ var: 'list' }, { var: 'list' }] },
      { map: [{ var: 'list' }, { var: '' }] },
      { missing: [`${'a.'.repeat(60)}leaf`] },
    ].flatMap((rule) => loadAndEvaluate(flagDoc(rule), [context]))
    expect(results.length).toBeGreaterThan(0)
  })

  test('a rule nested deeper than the compiler allows breaks only its flag', () => {
    let rule: Json = true
    for (let i = 0; i < 200; i++) rule = { '!': rule }
    const engine = createEngine()
    loadOrReject(engine, {
      flags: {
        deep: {
          state: 'ENABLED',
          variants: { true: 1, false: 0 },
          defaultVariant: 'true',
          targeting: rule,
        },
        fine: { state: 'ENABLED', variants: { a: 1 }, defaultVariant: 'a' },
      },
    })
    expect(engine.evaluate('deep', -1, {})).toMatchObject({
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
    })
    expect(engine.evaluate('fine', -1, {})).toMatchObject({ reason: 'STATIC', value: 1 })
  })

  // Documents deeper than MAX_DOCUMENT_DEPTH are refused before any recursive step runs.
  test('a rule, list or variant 10,000 levels deep: load throws only FlagsError', () => {
    const depth = 10_000
    const rule = `${'{"!":'.repeat(depth)}true${'}'.repeat(depth)}`
    const list = `${'['.repeat(depth)}1${']'.repeat(depth)}`
    for (const text of [
      `{"flags":{"f":{"state":"ENABLED","variants":{"true":1},"defaultVariant":"true","targeting":${rule}}}}`,
      `{"flags":{"f":{"state":"ENABLED","variants":{"true":1},"targeting":{"$ref":"e"}}},"$evaluators":{"e":${rule}}}`,
      `{"flags":{"f":{"state":"ENABLED","variants":{"true":1},"targeting":{"in":[1,${list}]}}}}`,
      `{"flags":{"f":{"state":"ENABLED","variants":{"a":{"x":${list}}},"defaultVariant":"a"}}}`,
    ]) {
      const engine = createEngine()
      if (loadOrReject(engine, text)) evaluateEverywhere(engine, 'f', {})
    }
  })

  test('1e6-element arrays in the context', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => i)
    const context = { targetingKey: 'k', big, text: 'x'.repeat(1_000_000) }
    const results = [
      { in: [999_999, { var: 'big' }] },
      { in: ['y', { var: 'text' }] },
      { map: [{ var: 'big' }, { '+': [{ var: '' }, 1] }] },
      { filter: [{ var: 'big' }, { '<': [{ var: '' }, 3] }] },
      { all: [{ var: 'big' }, { '>=': [{ var: '' }, 0] }] },
      { reduce: [{ var: 'big' }, { '+': [{ var: 'accumulator' }, { var: 'current' }] }, 0] },
      { merge: [{ var: 'big' }, { var: 'big' }] },
      { cat: [{ var: 'big' }] },
      { max: { var: 'big' } },
    ].flatMap((rule) => loadAndEvaluate(flagDoc(rule), [context]))
    expect(results[0]).toMatchObject({ reason: 'ERROR', errorCode: 'TYPE_MISMATCH' }) // true, as boolean below
    expect(results.length).toBe(9 * DEFAULTS.length)
  })

  test('fractional with 10,000 buckets and weights above 2^31-1', () => {
    const buckets = Array.from({ length: 10_000 }, (_, i) => [`v${i}`, 1])
    const variants: Record<string, string> = Object.fromEntries(
      buckets.map(([name]) => [String(name), String(name)]),
    )
    const engine = createEngine()
    engine.load({
      flags: {
        many: {
          state: 'ENABLED',
          variants,
          defaultVariant: 'v0',
          targeting: { fractional: buckets },
        },
        heavy: {
          state: 'ENABLED',
          variants,
          defaultVariant: 'v0',
          targeting: {
            fractional: [
              ['v1', 2_147_483_647],
              ['v2', 1],
            ],
          },
        },
        huge: {
          state: 'ENABLED',
          variants,
          defaultVariant: 'v0',
          targeting: {
            fractional: [
              ['v1', Number.MAX_SAFE_INTEGER],
              ['v2', 1e308],
            ],
          },
        },
      },
    })
    expect(engine.evaluate('many', 'x', { targetingKey: 'user-1' })).toMatchObject({
      reason: 'TARGETING_MATCH',
    })
    expect(engine.evaluate('heavy', 'x', { targetingKey: 'user-1' })).toMatchObject({
      reason: 'DEFAULT',
      value: 'v0',
    })
    expect(engine.evaluate('huge', 'x', { targetingKey: 'user-1' })).toMatchObject({
      reason: 'DEFAULT',
      value: 'v0',
    })
  })
})

describe('$ref cycles', () => {
  test('a→b→a, self references and unused cycles break only the flags that use them', () => {
    const engine = createEngine()
    engine.load({
      $evaluators: {
        a: { if: [{ $ref: 'b' }, 'x', 'y'] },
        b: { '!': { $ref: 'a' } },
        self: { or: [{ $ref: 'self' }, true] },
        unused: { $ref: 'unused' },
        ok: { '==': [1, 1] },
      },
      flags: {
        cycle: {
          state: 'ENABLED',
          variants: { x: 1, y: 2 },
          defaultVariant: 'x',
          targeting: { $ref: 'a' },
        },
        self: {
          state: 'ENABLED',
          variants: { true: 1 },
          defaultVariant: 'true',
          targeting: { $ref: 'self' },
        },
        ok: {
          state: 'ENABLED',
          variants: { true: 1 },
          defaultVariant: 'true',
          targeting: { $ref: 'ok' },
        },
      },
    })
    expect(engine.evaluate('cycle', 0, {})).toMatchObject({
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
    })
    expect(engine.evaluate('self', 0, {})).toMatchObject({
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
    })
    expect(engine.evaluate('ok', 0, {})).toMatchObject({ reason: 'TARGETING_MATCH', value: 1 })
  })
})
