import { describe, expect, it } from 'vitest'
import {
  createEngine,
  isFlagsError,
  type FlagsDocument,
  type FlagsError,
  type Logger,
} from './index.js'

const flags = (definitions: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ flags: definitions, ...extra })

const boolFlag = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }

function loadError(text: string, source = 'flags.json'): FlagsError {
  try {
    createEngine().load(text, { source })
  } catch (error) {
    if (isFlagsError(error)) return error
    throw error
  }
  throw new Error('load accepted an invalid document')
}

describe('load', () => {
  it('names the file, the flag and the JSON path of a bad defaultVariant', () => {
    const error = loadError(flags({ 'new-search': { ...boolFlag, defaultVariant: 'blue' } }))
    expect(error.message).toBe(
      'flags.json: flag "new-search": /flags/new-search/defaultVariant: "blue" is not a variant (variants: "on", "off")',
    )
  })

  it.each([
    [
      'bad state',
      { ...boolFlag, state: 'ON' },
      '/flags/f/state: must be "ENABLED" or "DISABLED", got "ON"',
    ],
    [
      'no variants',
      { state: 'ENABLED', variants: {} },
      '/flags/f/variants: must be an object with at least one variant',
    ],
    [
      'mixed variant types',
      { ...boolFlag, variants: { on: true, off: 'no' } },
      'all variants of a flag must have one type',
    ],
    [
      'array variant',
      { ...boolFlag, variants: { on: [1], off: false } },
      '/flags/f/variants/on: must be a boolean, string, number or object, got an array',
    ],
    [
      'nested metadata',
      { ...boolFlag, metadata: { owner: { team: 'x' } } },
      '/flags/f/metadata/owner: metadata must be flat',
    ],
    [
      'targeting not an object',
      { ...boolFlag, targeting: 'on' },
      '/flags/f/targeting: must be a JsonLogic rule object',
    ],
    [
      'defaultVariant not a string',
      { ...boolFlag, defaultVariant: 3 },
      '/flags/f/defaultVariant: must be a variant name or null',
    ],
  ])('rejects %s with the flag and path', (_name, flag, expected) => {
    const error = loadError(flags({ f: flag }))
    expect(error.message).toContain('flags.json: flag "f": ')
    expect(error.message).toContain(expected)
  })

  it('rejects invalid JSON with a line and column, and an empty (half-written) file', () => {
    expect(loadError('{\n  "flags": {,\n}').message).toMatch(
      /^flags\.json: invalid JSON: .*line 2 column/,
    )
    expect(loadError('   ').message).toBe('flags.json: the document is empty')
    expect(createEngine().load('\ufeff{"flags": {}}').changedFlags).toEqual([])
  })

  it('rejects documents that are not flag sets', () => {
    expect(loadError('[]').message).toBe('flags.json: a flags document must be a JSON object')
    expect(loadError('{}').message).toBe('flags.json: /flags: is required')
    expect(loadError('{"flags": []}').message).toContain(
      'the array form is only for the flagd daemon',
    )
    expect(loadError(flags({}, { metadata: { a: [1] } })).message).toContain(
      '/metadata/a: metadata must be flat',
    )
    expect(loadError(flags({}, { $evaluators: [] })).message).toContain(
      '/$evaluators: must be an object',
    )
  })

  it('refuses absurdly deep documents up front, naming the flag and the path', () => {
    const deep = `${'['.repeat(300)}1${']'.repeat(300)}`
    const text = `{"flags":{"f":{"state":"ENABLED","variants":{"a":{"x":${deep}}},"defaultVariant":"a"}}}`
    expect(loadError(text).message).toMatch(
      /^flags\.json: flag "f": \/flags\/f\/variants\/a\/x(\/0)+: nested deeper than 256 levels$/,
    )
  })

  it('lists every problem and counts the rest in the message', () => {
    const error = loadError(
      flags({ a: { ...boolFlag, state: 'X' }, b: { ...boolFlag, defaultVariant: 'z' } }),
    )
    expect(error.issues).toHaveLength(2)
    expect(error.message).toContain('(and 1 more problem)')
  })

  it('keeps serving the last good configuration after a rejected load', () => {
    const engine = createEngine()
    engine.load(flags({ f: { ...boolFlag, defaultVariant: 'on' } }))
    expect(() => engine.load('{"flags": {"f": ')).toThrow(/invalid JSON/)
    expect(() => engine.load(flags({ f: { ...boolFlag, state: 'BROKEN' } }))).toThrow(/state/)
    expect(engine.evaluate('f', false)).toMatchObject({ value: true, reason: 'STATIC' })
  })

  it('reports exactly the flags that were added, removed or modified', () => {
    const engine = createEngine()
    expect(engine.load(flags({ a: boolFlag, b: boolFlag })).changedFlags).toEqual(['a', 'b'])
    expect(engine.load(flags({ a: boolFlag, b: boolFlag })).changedFlags).toEqual([])
    const reordered = {
      defaultVariant: 'off',
      variants: { off: false, on: true },
      state: 'ENABLED',
    }
    expect(engine.load(flags({ b: reordered, a: boolFlag })).changedFlags).toEqual([])
    expect(
      engine.load(flags({ a: { ...boolFlag, defaultVariant: 'on' }, c: boolFlag })).changedFlags,
    ).toEqual(['a', 'c', 'b'])
  })

  it('marks a flag changed when an evaluator it references changes, and only that flag', () => {
    const engine = createEngine()
    const doc = (tier: string): string =>
      flags(
        {
          uses: { ...boolFlag, targeting: { if: [{ $ref: 'isPro' }, 'on', 'off'] } },
          other: boolFlag,
        },
        { $evaluators: { isPro: { '==': [{ var: 'tier' }, tier] } } },
      )
    engine.load(doc('pro'))
    expect(engine.load(doc('enterprise')).changedFlags).toEqual(['uses'])
  })

  it('breaks only the flag whose targeting cannot compile, and says why', () => {
    const warnings: string[] = []
    const logger: Logger = { warn: (message) => warnings.push(message) }
    const engine = createEngine({ logger })
    const result = engine.load(
      flags({
        bad: { ...boolFlag, targeting: { nope: [1] } },
        ref: { ...boolFlag, targeting: { $ref: 'missing' } },
        good: boolFlag,
      }),
      { source: 'f.json' },
    )
    expect(result.brokenFlags.map((issue) => [issue.flagKey, issue.path, issue.message])).toEqual([
      ['bad', '/flags/bad/targeting', 'unknown operator "nope"'],
      ['ref', '/flags/ref/targeting', '$ref to unknown evaluator "missing"'],
    ])
    expect(engine.evaluate('bad', true)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
    })
    expect(engine.evaluate('ref', true)).toMatchObject({
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
    })
    expect(engine.evaluate('good', true)).toMatchObject({ value: false, reason: 'STATIC' })
    expect(
      warnings.some((w) => w.startsWith('f.json: flag "bad" will evaluate to PARSE_ERROR')),
    ).toBe(true)
  })

  it('reports a cyclic $ref as a broken flag instead of looping', () => {
    const engine = createEngine()
    const result = engine.load(
      flags(
        { f: { ...boolFlag, targeting: { $ref: 'a' } } },
        { $evaluators: { a: { or: [{ $ref: 'b' }] }, b: { $ref: 'a' } } },
      ),
    )
    expect(result.brokenFlags[0]?.message).toBe('cyclic $ref: a -> b -> a')
  })

  it('does not freeze or keep a document passed as an object', () => {
    const document: FlagsDocument = {
      flags: { f: { state: 'ENABLED', variants: { a: { n: 1 } }, defaultVariant: 'a' } },
    }
    const engine = createEngine()
    engine.load(document)
    expect(Object.isFrozen(document.flags['f']?.variants['a'])).toBe(false)
  })
})

describe('evaluate', () => {
  const engine = createEngine({ clock: () => 1_700_000_000_500 })
  engine.load(
    flags(
      {
        static: boolFlag,
        tiered: {
          ...boolFlag,
          targeting: { if: [{ '==': [{ var: 'tier' }, 'pro'] }, 'on', null] },
          metadata: { owner: 'search' },
        },
        noDefault: {
          state: 'ENABLED',
          variants: { a: 'A' },
          targeting: { if: [{ var: 'x' }, 'a'] },
        },
        disabled: { ...boolFlag, state: 'DISABLED' },
        unknownVariant: { ...boolFlag, targeting: { var: 'pick' } },
        failing: { ...boolFlag, targeting: { if: [{ '<': [{ var: 'n' }, 'abc'] }, 'on', 'off'] } },
        object: {
          state: 'ENABLED',
          variants: { v: { nested: { deep: [1, 2] } } },
          defaultVariant: 'v',
        },
        clock: {
          state: 'ENABLED',
          variants: { t: 't', f: 'f' },
          targeting: { if: [{ '==': [{ var: '$flagd.timestamp' }, 1_700_000_000] }, 't', 'f'] },
        },
        numeric: {
          state: 'ENABLED',
          variants: { '1': 'one', '2': 'two' },
          targeting: { '+': [{ var: 'n' }, 1] },
        },
      },
      { metadata: { flagSetId: 'set-1', owner: 'platform' } },
    ),
  )

  it('resolves STATIC, TARGETING_MATCH and DEFAULT as flagd does', () => {
    expect(engine.evaluate('static', true)).toEqual({
      value: false,
      variant: 'off',
      reason: 'STATIC',
      flagMetadata: { flagSetId: 'set-1', owner: 'platform' },
    })
    expect(engine.evaluate('tiered', false, { tier: 'pro' })).toMatchObject({
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
    })
    expect(engine.evaluate('tiered', true, { tier: 'free' })).toMatchObject({
      value: false,
      variant: 'off',
      reason: 'DEFAULT',
    })
  })

  it('returns the caller default with DEFAULT and no variant when there is no default variant', () => {
    expect(engine.evaluate('noDefault', 'code', {})).toEqual({
      value: 'code',
      reason: 'DEFAULT',
      flagMetadata: { flagSetId: 'set-1', owner: 'platform' },
    })
    expect(engine.evaluate('noDefault', 'code', { x: true })).toMatchObject({
      value: 'A',
      variant: 'a',
      reason: 'TARGETING_MATCH',
    })
  })

  it('overlays flag metadata on flag-set metadata', () => {
    expect(engine.evaluate('tiered', false).flagMetadata).toEqual({
      flagSetId: 'set-1',
      owner: 'search',
    })
  })

  it('treats a disabled flag as a successful DISABLED evaluation with the caller default', () => {
    expect(engine.evaluate('disabled', true)).toEqual({
      value: true,
      reason: 'DISABLED',
      flagMetadata: { flagSetId: 'set-1', owner: 'platform' },
    })
  })

  it('returns errors as values: FLAG_NOT_FOUND, TYPE_MISMATCH, GENERAL', () => {
    expect(engine.evaluate('missing', 7)).toMatchObject({
      value: 7,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      flagMetadata: { flagSetId: 'set-1' },
    })
    expect(engine.evaluate('static', 'x')).toMatchObject({
      value: 'x',
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
    })
    expect(engine.evaluate('unknownVariant', true, { pick: 'blue' })).toMatchObject({
      value: true,
      errorCode: 'GENERAL',
      errorMessage: 'targeting of flag "unknownVariant" returned "blue", which is not a variant',
    })
    expect(engine.evaluate('unknownVariant', true, { pick: ['on'] })).toMatchObject({
      errorCode: 'GENERAL',
    })
    expect(engine.evaluate('failing', true, { n: 1 })).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'GENERAL',
    })
  })

  it('names variants by the text of boolean and number results', () => {
    expect(engine.evaluate('numeric', 'x', { n: 1 })).toMatchObject({ value: 'two', variant: '2' })
  })

  it('refuses a context that is not an object, without throwing', () => {
    const hostile = 5 as unknown as Record<string, unknown>
    expect(engine.evaluate('tiered', false, hostile)).toMatchObject({
      reason: 'ERROR',
      errorCode: 'INVALID_CONTEXT',
    })
  })

  it('survives a context whose getters throw', () => {
    const context = Object.defineProperty({}, 'tier', {
      get: () => {
        throw new Error('boom')
      },
      enumerable: true,
    })
    expect(engine.evaluate('tiered', false, context)).toMatchObject({
      value: false,
      reason: 'ERROR',
      errorCode: 'GENERAL',
    })
  })

  it('injects $flagd.timestamp from the injected clock, in whole seconds', () => {
    expect(engine.evaluate('clock', 'x')).toMatchObject({ value: 't' })
  })

  it('shares frozen results and deep-frozen object values', () => {
    const first = engine.evaluate('object', {})
    expect(engine.evaluate('object', {})).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
    expect(Object.isFrozen((first.value as { nested: object }).nested)).toBe(true)
  })

  it('lists flag keys in document order and exposes definitions as loaded', () => {
    expect(engine.flagKeys().slice(0, 3)).toEqual(['static', 'tiered', 'noDefault'])
    expect(engine.flagDefinition('static')).toEqual(boolFlag)
    expect(engine.flagDefinition('nope')).toBeUndefined()
    expect([engine.flagType('static'), engine.flagType('object'), engine.flagType('nope')]).toEqual(
      ['boolean', 'object', undefined],
    )
  })
})

describe('evaluateAll', () => {
  it('includes disabled and failing flags, and omits values that were not resolved', () => {
    const engine = createEngine()
    engine.load(
      flags({
        on: { ...boolFlag, defaultVariant: 'on' },
        off: { ...boolFlag, state: 'DISABLED' },
        bad: { ...boolFlag, targeting: { x: 1 } },
      }),
    )
    expect(engine.evaluateAll({ targetingKey: 'u' })).toEqual([
      { flagKey: 'on', value: true, variant: 'on', reason: 'STATIC', flagMetadata: {} },
      { flagKey: 'off', reason: 'DISABLED', flagMetadata: {} },
      expect.objectContaining({ flagKey: 'bad', reason: 'ERROR', errorCode: 'PARSE_ERROR' }),
    ])
  })
})

describe('overrides (the kill switch)', () => {
  const rollout = {
    state: 'ENABLED',
    variants: { stable: 'v1', canary: 'v2' },
    defaultVariant: 'stable',
    targeting: {
      fractional: [
        ['canary', 1],
        ['stable', 0],
      ],
    },
    metadata: { 'canarykit.pinEpoch': 1 },
  }

  it('forces the default variant at once, for every unit, until cleared', () => {
    const engine = createEngine()
    engine.load(flags({ search: rollout }))
    expect(engine.evaluate('search', 'x', { targetingKey: 'u1' }).value).toBe('v2')
    engine.override('search', null)
    expect(engine.evaluate('search', 'x', { targetingKey: 'u1' })).toEqual({
      value: 'v1',
      variant: 'stable',
      reason: 'STATIC',
      flagMetadata: { 'canarykit.pinEpoch': 1, 'canarykit.override': 'stable' },
    })
    expect(engine.overrides()).toEqual(new Map([['search', null]]))
    engine.clearOverride('search')
    expect(engine.evaluate('search', 'x', { targetingKey: 'u1' }).value).toBe('v2')
  })

  it('survives a reload of the file, and applies to a flag that appears later', () => {
    const engine = createEngine()
    engine.override('search', 'stable')
    engine.load(flags({ search: rollout }))
    expect(engine.evaluate('search', 'x', { targetingKey: 'u1' }).value).toBe('v1')
    engine.load(flags({ search: { ...rollout, metadata: {} } }))
    expect(engine.evaluate('search', 'x', { targetingKey: 'u1' }).value).toBe('v1')
  })

  it('also overrides a disabled or broken flag, and refuses an unknown variant', () => {
    const engine = createEngine()
    engine.load(
      flags({ off: { ...rollout, state: 'DISABLED' }, bad: { ...rollout, targeting: { x: 1 } } }),
    )
    engine.override('off', 'canary')
    engine.override('bad', 'stable')
    expect(engine.evaluate('off', 'x')).toMatchObject({ value: 'v2', reason: 'STATIC' })
    expect(engine.evaluate('bad', 'x')).toMatchObject({ value: 'v1', reason: 'STATIC' })
    expect(() => engine.override('off', 'nope')).toThrow('flag "off" has no variant "nope"')
  })
})

describe('resolveVariant', () => {
  it('resolves any flag type to its variant without a caller default', () => {
    const engine = createEngine()
    engine.load(
      flags({
        b: boolFlag,
        o: { state: 'ENABLED', variants: { a: { x: 1 } }, defaultVariant: 'a' },
      }),
    )
    expect(engine.resolveVariant('b')).toEqual({
      flagKey: 'b',
      value: false,
      variant: 'off',
      reason: 'STATIC',
      flagMetadata: {},
    })
    expect(engine.resolveVariant('o')).toMatchObject({ variant: 'a', value: { x: 1 } })
    expect(engine.resolveVariant('nope')).toMatchObject({
      flagKey: 'nope',
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    })
  })
})
