import { isDeepStrictEqual } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEngine } from '../../engine.js'
import type { EvaluationContext, FlagValue, ResolvedValue } from '../../types.js'
import { compileTargeting, type CompileOptions } from '../compile-rule.js'
import {
  createCodeGenerator,
  generateSource,
  type GeneratedRule,
  type Outcomes,
} from './code-generator.js'

const OPTIONS: CompileOptions = { flagKey: 'my-flag', nowSeconds: () => 1_750_000_000, path: '' }

/** Shared results for variants `a`, `true`, `1` and the default `a`, as compile-flag.ts builds. */
function outcomes(): Outcomes {
  const result = (name: string, reason: 'TARGETING_MATCH' | 'DEFAULT'): ResolvedValue<FlagValue> =>
    Object.freeze({ value: `v-${name}`, variant: name, reason, flagMetadata: {} })
  const variants = new Map(
    ['a', 'true', '1'].map((name) => [name, { asMatch: result(name, 'TARGETING_MATCH') }]),
  )
  return { variants, defaultVariant: { asDefault: result('a', 'DEFAULT') } }
}

function generate(rule: unknown, options = OPTIONS, outs = outcomes()): GeneratedRule {
  const generated = createCodeGenerator()(rule, options, outs)
  if (generated === undefined) throw new Error(`no code generated for ${JSON.stringify(rule)}`)
  return generated
}

/** A rule's value, or what it threw (by message: errors of either side are distinct objects). */
function run(fn: () => unknown): unknown {
  try {
    return { value: fn() }
  } catch (error) {
    return { threw: error instanceof Error ? error.message : String(error) }
  }
}

/** Values a context attribute can hold, JSON and otherwise. */
const VALUES: readonly unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -0,
  1,
  1.5,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'a',
  'abc',
  '1',
  '2.1.0',
  '2.1.0-rc.1',
  'v2.1.0',
  '1.2',
  [],
  [1],
  ['a'],
  {},
  { a: 1 },
  () => 1,
  new Date(0),
  Object.create(null),
]

const x = { var: 'x' }
const y = { var: 'y' }
const LITERALS = [null, true, false, 0, 1, 2.5, '', 'a', '1']
const COMPARISONS = ['==', '===', '!=', '!==', '<', '<=', '>', '>=']
const MEMBERS = [[], ['a', 1], [null, 'a'], [true, 0], Array.from({ length: 17 }, (_, i) => i)]

/** Rules of the generated subset, each reading the attributes `x` and `y`. */
const RULES: readonly unknown[] = [
  ...COMPARISONS.flatMap((op) => [
    ...LITERALS.flatMap((literal) => [{ [op]: [x, literal] }, { [op]: [literal, x] }]),
    { [op]: [x, y] },
  ]),
  ...MEMBERS.map((members) => ({ in: [x, members] })),
  { in: [x, y] },
  { in: ['a', x] },
  { and: [x, y] },
  { or: [x, y, 'z'] },
  { and: [{ '==': [x, 1] }, y] },
  { or: [{ '<': [x, 1] }, { '!!': y }] },
  { '!': x },
  { '!!': [x] },
  { if: [x, 'a', y, 'true', 'b'] },
  { if: [x, y] },
  { if: [{ '!': x }, 1, null] },
  { cat: [x, '-', y] },
  { var: ['x', 'fallback'] },
  { var: ['x', y] },
  { var: 'x.a' },
  { '==': [{ var: '$flagd.flagKey' }, 'my-flag'] },
  { '<': [{ var: '$flagd.timestamp' }, x] },
  ...['=', '!=', '<', '<=', '>', '>=', '^', '~', 'bad'].flatMap((op) => [
    { sem_ver: [x, op, '2.1.0'] },
    { sem_ver: [x, op, '2.1.0-rc.0'] },
  ]),
  { starts_with: [x, y] },
  { ends_with: [x, 'a'] },
  {
    fractional: [
      ['a', 30],
      ['true', 70],
    ],
  },
  { fractional: [x, ['a', 1], [true, 1], [1, 0]] },
  { fractional: [{ cat: [x, y] }, ['a', 50], ['b', 50]] },
  {
    if: [
      x,
      {
        fractional: [
          ['a', 1],
          ['c', 1],
        ],
      },
      'a',
    ],
  },
]

describe('generated code', () => {
  it('computes what the closures compute, for every subset operator and attribute value', () => {
    let checked = 0
    for (const rule of RULES) {
      const closure = compileTargeting(rule, OPTIONS)
      const outs = outcomes()
      const { rule: generated, resolve } = generate(rule, OPTIONS, outs)
      for (const a of VALUES) {
        for (const b of [undefined, 'a', 1, true, '2.1.0', null]) {
          const context = { targetingKey: 'user-1', x: a, y: b } as EvaluationContext
          const expected = run(() => closure(context, context))
          const actual = run(() => generated(context, context))
          if (!isDeepStrictEqual(actual, expected)) {
            expect({ rule, a, b, actual }).toEqual({ rule, a, b, actual: expected })
          }
          // The resolver decides (or leaves to the engine) what the engine makes of that value.
          const decided = run(() => {
            const decision = resolve(context, context)
            return decision.reason === undefined ? decisionFor(outs, decision.value) : decision
          })
          expect(decided).toEqual(run(() => decisionFor(outs, closure(context, context))))
          checked++
        }
      }
    }
    expect(checked).toBe(RULES.length * VALUES.length * 6)
  })

  it('keeps rule text out of the source except as JSON string literals', () => {
    const hostile = '"); globalThis.pwned = true; ("\u2028`${1}`*/</script>\\'
    const rule = {
      if: [
        { '==': [{ var: hostile }, hostile] },
        hostile,
        { in: [{ var: `${hostile}.x` }, [hostile, 1]] },
        { cat: [hostile, { var: hostile }] },
        { fractional: [{ cat: [hostile] }, [hostile, 1]] },
      ],
    }
    const options = { ...OPTIONS, flagKey: hostile }
    const source = generateSource(rule, options, outcomes())?.source ?? ''
    expect(source).toContain(JSON.stringify(hostile))
    expect(source.split(JSON.stringify(hostile)).join('')).not.toContain('pwned')
    const { rule: generated } = generate(rule, options)
    const closure = compileTargeting(rule, options)
    for (const context of [{ [hostile]: hostile }, { [hostile]: 'x' }, {}] as EvaluationContext[]) {
      expect(generated(context, context)).toBe(closure(context, context))
    }
    expect((globalThis as Record<string, unknown>)['pwned']).toBeUndefined()
  })

  it('reads only own properties for names Object.prototype has', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const rule = { if: [{ '==': [{ var: name }, 'x'] }, 'a', 'b'] }
      const closure = compileTargeting(rule, OPTIONS)
      const { rule: generated } = generate(rule)
      expect(generated({}, {})).toBe('b')
      expect(generated({}, {})).toBe(closure({}, {}))
    }
  })

  it('leaves constant rules and rules without a generated operator to the closures', () => {
    const generator = createCodeGenerator()
    expect(generator({ '==': [1, 1] }, OPTIONS, outcomes())).toBeUndefined()
    expect(generator({ missing: ['a'] }, OPTIONS, outcomes())).toBeUndefined()
    expect(generator({ var: 'a\\.b' }, OPTIONS, outcomes())).toBeUndefined()
    const source = generateSource({ if: [{ missing: ['a'] }, 'a', 'b'] }, OPTIONS, outcomes())
    expect(source?.source).toMatch(/k\d+\(data, root\)/)
  })
})

/** The shared result the engine resolves a rule value to (evaluate-flag.ts), else the value. */
function decisionFor(outs: Outcomes, value: unknown): unknown {
  if (value === null || value === undefined) return outs.defaultVariant?.asDefault
  const name =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined
  return (name === undefined ? undefined : outs.variants.get(name)?.asMatch) ?? { value }
}

describe('code generation refused', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  const document = JSON.stringify({
    flags: {
      f: {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: { if: [{ '==': [{ var: 'tier' }, 'pro'] }, 'on', 'off'] },
      },
    },
  })

  it('falls back to closures silently when the runtime forbids new Function (CSP)', () => {
    let attempts = 0
    vi.stubGlobal('Function', function refused() {
      attempts++
      throw new EvalError('Code generation from strings disallowed for this context')
    })
    const engine = createEngine()
    engine.load(document)
    engine.load(document)
    expect(engine.evaluate('f', false, { tier: 'pro' })).toMatchObject({
      value: true,
      variant: 'on',
    })
    expect(engine.evaluate('f', false, { tier: 'free' })).toMatchObject({ value: false })
    // Tried once, then never again for this engine.
    expect(attempts).toBe(1)
  })

  it('is not attempted with codegen: false, and is by default', () => {
    const RealFunction = Function
    let calls = 0
    vi.stubGlobal('Function', function counted(...args: string[]) {
      calls++
      return new RealFunction(...args)
    })
    createEngine({ codegen: false }).load(document)
    expect(calls).toBe(0)
    const engine = createEngine()
    engine.load(document)
    expect(calls).toBe(1)
    expect(engine.evaluate('f', false, { tier: 'pro' })).toMatchObject({
      value: true,
      variant: 'on',
    })
  })
})
