/**
 * Every deliberate difference from `@openfeature/flagd-core` 4.0.1, pinned with both engines'
 * actual behaviour. docs/flagd-compatibility.md explains each one (section names in the tests);
 * the differential test (differential.test.ts) keeps them out of its comparison.
 */
import { FlagdCore } from '@openfeature/flagd-core'
import { describe, expect, test } from 'vitest'
import { bucketOf, createEngine, isFlagsError, murmur3 } from '../src/index.js'
import { silentLogger } from './arbitraries/engines.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const VARIANTS = { a: 'A', b: 'B', true: 'T', false: 'F', '1': 'one', '0': 'zero', null: 'N' }

/** A one-flag document (`f`, string variants, default `a`) with this targeting. */
function document(targeting: Json, extra: Record<string, Json> = {}): Record<string, Json> {
  return {
    flags: { f: { state: 'ENABLED', variants: VARIANTS, defaultVariant: 'a', targeting } },
    ...extra,
  }
}

interface Outcome {
  readonly value: unknown
  readonly variant: string | undefined
  readonly reason: string
  readonly errorCode: string | undefined
}

const outcome = (r: {
  value?: unknown
  variant?: string | undefined
  reason?: string | undefined
  errorCode?: string | undefined
}): Outcome => ({
  value: r.value,
  variant: r.variant,
  reason: String(r.reason),
  errorCode: r.errorCode,
})

/** Evaluates flag `f` as a string in both engines. */
function both(
  doc: Record<string, Json>,
  context: Record<string, unknown> = {},
): { ours: Outcome; core: Outcome } {
  const json = JSON.stringify(doc)
  const ours = createEngine({ clock: () => 0 })
  ours.load(json)
  const core = new FlagdCore(undefined, silentLogger)
  core.setConfigurations(json)
  return {
    ours: outcome(ours.evaluate('f', 'x', context)),
    core: outcome(core.resolveStringEvaluation('f', 'x', context as never, silentLogger)),
  }
}

const match = (variant: keyof typeof VARIANTS): Outcome => ({
  value: VARIANTS[variant],
  variant,
  reason: 'TARGETING_MATCH',
  errorCode: undefined,
})
const byDefault: Outcome = { value: 'A', variant: 'a', reason: 'DEFAULT', errorCode: undefined }
const error = (errorCode: string): Outcome => ({
  value: 'x',
  variant: undefined,
  reason: 'ERROR',
  errorCode,
})

describe('divergences decided with Go flagd', () => {
  test('Non-ASCII bucketing values: canarykit hashes UTF-8 bytes', () => {
    const { ours, core } = both(
      document({
        fractional: [
          ['a', 1],
          ['b', 1],
        ],
      }),
      { targetingKey: 'café' },
    )
    // flag key + targeting key, MurmurHash3 over UTF-8, two buckets of weight 1.
    const expected = bucketOf(murmur3('fcafé'), 2) === 0 ? 'a' : 'b'
    expect(ours).toEqual(match(expected))
    expect(ours).toEqual(match('b'))
    expect(core).toEqual(match('a')) // imurmurhash mixes UTF-16 code units
    // Both agree on ASCII.
    const ascii = both(
      document({
        fractional: [
          ['a', 1],
          ['b', 1],
        ],
      }),
      { targetingKey: 'cafe' },
    )
    expect(ascii.ours).toEqual(ascii.core)
  })

  test('Fractional with a non-string targeting key: canarykit returns null', () => {
    const rule = document({
      fractional: [
        ['a', 1],
        ['b', 1],
      ],
    })
    const { ours, core } = both(rule, { targetingKey: 12345 })
    expect(ours).toEqual(byDefault)
    expect(core).toEqual(both(rule, { targetingKey: '12345' }).core) // stringified and hashed
    expect(core.reason).toBe('TARGETING_MATCH')
  })

  test("json-logic-engine's extension operators are PARSE_ERROR", () => {
    for (const rule of [
      { '??': [null, 'b'] },
      { val: 'a' },
      { try: [{ throw: 'x' }, 'b'] },
      { not: [false] },
    ]) {
      const { ours, core } = both(document(rule))
      expect(ours, JSON.stringify(rule)).toEqual(error('PARSE_ERROR'))
      expect(core.reason, JSON.stringify(rule)).not.toBe('ERROR')
    }
  })

  test('Bulk evaluation lists disabled and failed flags', () => {
    const doc = {
      flags: {
        on: { state: 'ENABLED', variants: { a: 1 }, defaultVariant: 'a' },
        off: { state: 'DISABLED', variants: { a: 1 }, defaultVariant: 'a' },
        broken: {
          state: 'ENABLED',
          variants: { a: 1 },
          defaultVariant: 'a',
          targeting: { bogus: [] },
        },
      },
    }
    const ours = createEngine()
    ours.load(JSON.stringify(doc))
    const core = new FlagdCore(undefined, silentLogger)
    core.setConfigurations(JSON.stringify(doc))
    expect(ours.evaluateAll({}).map((r) => [r.flagKey, r.reason, r.errorCode])).toEqual([
      ['on', 'STATIC', undefined],
      ['off', 'DISABLED', undefined],
      ['broken', 'ERROR', 'PARSE_ERROR'],
    ])
    expect(core.resolveAll({}, silentLogger).map((r) => [r.flagKey, r.reason])).toEqual([
      ['on', 'STATIC'],
    ])
  })

  test('Nested $ref: resolved whatever the order of the evaluators', () => {
    const rule = { if: [true, 'b', 'a'] }
    const referencedFirst = both(
      document({ $ref: 'e1' }, { $evaluators: { e2: rule, e1: { $ref: 'e2' } } }),
    )
    expect(referencedFirst.ours).toEqual(match('b'))
    expect(referencedFirst.core).toEqual(error('PARSE_ERROR')) // text substitution in key order
    const referencingFirst = both(
      document({ $ref: 'e1' }, { $evaluators: { e1: { $ref: 'e2' }, e2: rule } }),
    )
    expect(referencingFirst.ours).toEqual(match('b'))
    expect(referencingFirst.core).toEqual(match('b'))
  })
})

describe('divergences where canarykit is stricter or safer', () => {
  test('Schema-invalid documents are rejected at load', () => {
    const mixed = {
      flags: { f: { state: 'ENABLED', variants: { a: 'A', b: 1 }, defaultVariant: 'b' } },
    }
    const ours = createEngine()
    expect(() => ours.load(JSON.stringify(mixed))).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    )
    try {
      ours.load(JSON.stringify(mixed))
    } catch (thrown) {
      expect(isFlagsError(thrown)).toBe(true)
    }
    const core = new FlagdCore(undefined, silentLogger)
    core.setConfigurations(JSON.stringify(mixed))
    expect(core.resolveNumberEvaluation('f', 0, {}, silentLogger)).toMatchObject({
      value: 1,
      reason: 'STATIC',
    })
  })

  test('Targeting that is not an object is rejected at load', () => {
    const doc = document('b')
    expect(() => createEngine().load(JSON.stringify(doc))).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    )
    const core = new FlagdCore(undefined, silentLogger)
    core.setConfigurations(JSON.stringify(doc))
    expect(outcome(core.resolveStringEvaluation('f', 'x', {}, silentLogger))).toEqual(match('b'))
  })

  test('Inherited property names are not data', () => {
    const proto = both(document({ var: '__proto__' }))
    expect(proto.ours).toEqual(byDefault)
    expect(proto.core).toEqual(error('GENERAL')) // Object.prototype, named "[object Object]"
    const missing = both(document({ if: [{ missing: ['toString'] }, 'b', 'a'] }))
    expect(missing.ours).toEqual(match('b'))
    expect(missing.core).toEqual(match('a'))
    // A context parsed from JSON with a "__proto__" key: flagd-core's copy makes it the prototype.
    const context = JSON.parse('{"__proto__": {"tier": "pro"}}') as Record<string, unknown>
    const polluted = both(document({ if: [{ '==': [{ var: 'tier' }, 'pro'] }, 'b', 'a'] }), context)
    expect(polluted.ours).toEqual(match('a'))
    expect(polluted.core).toEqual(match('b'))
  })

  test('An array or object result is never a variant name', () => {
    const { ours, core } = both(document({ merge: ['b'] }))
    expect(ours).toEqual(error('GENERAL'))
    expect(core).toEqual(match('b')) // ["b"].toString()
  })

  test('An unresolved $ref is PARSE_ERROR wherever it is', () => {
    // json-logic-engine compiles only the first argument of "!".
    const { ours, core } = both(document({ '!': [{ var: 'x' }, { $ref: 'missing' }] }))
    expect(ours).toEqual(error('PARSE_ERROR'))
    expect(core).toEqual(match('true'))
  })

  test('An evaluator that is not a rule is evaluated as targeting', () => {
    const { ours, core } = both(document({ $ref: 'e' }, { $evaluators: { e: {} } }))
    expect(ours).toEqual(error('GENERAL')) // the rule {} yields an object
    expect(core).toEqual({ value: 'A', variant: 'a', reason: 'STATIC', errorCode: undefined })
  })

  test('reduce over a literal list reads the context for its initial value', () => {
    const sum = { '+': [{ var: 'accumulator' }, { var: 'current' }] }
    const { ours, core } = both(document({ reduce: [[1, 2], sum, { var: 'start' }] }), {
      start: -2,
    })
    expect(ours).toEqual(match('1'))
    expect(core).toEqual(error('GENERAL')) // folded at load against an empty context: 3
  })

  test('$ref substitution does not expand "$" patterns', () => {
    const evaluators = { e: { '==': [{ var: 'v' }, '$$'] } }
    const { ours, core } = both(
      document({ if: [{ $ref: 'e' }, 'b', 'a'] }, { $evaluators: evaluators }),
      {
        v: '$$',
      },
    )
    expect(ours).toEqual(match('b'))
    expect(core).toEqual(match('a')) // String#replaceAll turned "$$" into "$"
  })
})

describe("divergences from json-logic-engine's compiler and interpreter", () => {
  test('Custom operators inside iterators are evaluated', () => {
    const { ours, core } = both(
      document({ if: [{ some: [['a'], { starts_with: [{ var: '' }, 'a'] }] }, 'b', 'a'] }),
    )
    expect(ours).toEqual(match('b'))
    expect(core).toEqual(error('GENERAL')) // "Logger not found in context"
  })

  test('Arguments of a one- or two-argument if follow the compiled semantics', () => {
    const condition = { '==': [{ var: ['tier', 'free'] }, 'free'] }
    const short = both(document({ if: [condition, 'b'] }), { tier: null })
    expect(short.ours).toEqual(match('b'))
    expect(short.core).toEqual(byDefault) // interpreted: a null attribute is not replaced
    const full = both(document({ if: [condition, 'b', null] }), { tier: null })
    expect(full.ours).toEqual(match('b'))
    expect(full.core).toEqual(match('b'))
  })

  test('Constant sub-rules are folded with the compiled semantics', () => {
    const all = both(document({ if: [{ all: [null, true] }, 'a', 'b'] }))
    expect(all.ours).toEqual(match('a'))
    expect(all.core).toEqual(match('b'))
    const fallback = both(document({ in: ['d', { map: [[[null]], { var: ['0', 'd'] }] }] }))
    expect(fallback.ours).toEqual(match('true'))
    expect(fallback.core).toEqual(match('false'))
  })

  test('Comparisons check the left operand against the right one', () => {
    const zero = both(document({ '==': [null, { var: 'x' }] }), { x: 0 })
    expect(zero.ours).toEqual(match('true')) // as {"==": [null, 0]} in both engines
    expect(zero.core).toEqual(match('false'))
    const mixed = both(document({ '<': [5, { var: 's' }] }), { s: 'abc' })
    expect(mixed.ours).toEqual(error('GENERAL'))
    expect(mixed.core).toEqual(match('false'))
  })

  test('and/or/all/missing/missing_some nested in cat, in or an iterator keep their precedence', () => {
    const doc = {
      flags: {
        f: {
          state: 'ENABLED',
          variants: { bob: 'no suffix', 'bob-suffix': 'suffix' },
          targeting: { cat: [{ or: [{ var: 'name' }, 'anon'] }, '-suffix'] },
        },
      },
    }
    const json = JSON.stringify(doc)
    const ours = createEngine()
    ours.load(json)
    const core = new FlagdCore(undefined, silentLogger)
    core.setConfigurations(json)
    expect(ours.evaluate('f', 'x', { name: 'bob' }).variant).toBe('bob-suffix')
    expect(core.resolveStringEvaluation('f', 'x', { name: 'bob' }, silentLogger).variant).toBe(
      'bob',
    )
  })
})

describe('not implemented', () => {
  test('"../" var paths (json-logic-engine scope traversal) are plain paths', () => {
    const rule = {
      if: [{ some: [{ var: 'list' }, { '==': [{ var: '' }, { var: '../../target' }] }] }, 'b', 'a'],
    }
    const { ours, core } = both(document(rule), { list: [1, 2], target: 2 })
    expect(ours).toEqual(match('a'))
    expect(core).toEqual(match('b'))
  })
})
