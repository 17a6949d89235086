import { createEngine, isFlagsError, METADATA_KEYS, type Engine } from '@canarykit/core'
import { describe, expect, it } from 'vitest'
import { rolloutDocument, FLAG } from '../test/mcp-traffic.js'
import { instrumentEngine } from './instrument-engine.js'
import type { EvaluationRecord } from './types.js'

function recorded(): { records: EvaluationRecord[]; recordEvaluation(e: EvaluationRecord): void } {
  const records: EvaluationRecord[] = []
  return { records, recordEvaluation: (e) => void records.push(e) }
}

describe('instrumentEngine', () => {
  it('returns exactly what the engine returns, for every method', () => {
    const bare = createEngine()
    const sink = recorded()
    const wrapped = instrumentEngine(createEngine(), sink)
    const both = (fn: (e: Engine) => unknown): void => {
      expect(JSON.stringify(fn(wrapped))).toBe(JSON.stringify(fn(bare)))
    }
    both((e) => e.load(rolloutDocument(30), { source: 'flags.json' }))
    for (let i = 0; i < 50; i++) {
      both((e) => e.evaluate(FLAG, 'none', { targetingKey: `s-${i}` }))
      both((e) => e.resolveVariant(FLAG, { targetingKey: `s-${i}` }))
    }
    both((e) => e.evaluateAll({ targetingKey: 's-1' }))
    both((e) => e.flagKeys())
    both((e) => e.flagDefinition(FLAG))
    both((e) => e.flagType(FLAG))
    both((e) => e.flagSetMetadata())
    both((e) => e.override(FLAG, 'stable'))
    both((e) => [...e.overrides()])
    both(
      (e) => e.resolveVariant(FLAG, { targetingKey: 's-1' }).flagMetadata[METADATA_KEYS.override],
    )
    both((e) => e.clearOverride(FLAG))
    both((e) => [...e.overrides()])
    expect(sink.records).toHaveLength(50 + 50 + 1 + 1)
  })

  it('records flag, variant, reason, targeting key and provider name', () => {
    const sink = recorded()
    const engine = instrumentEngine(createEngine(), sink)
    engine.load(rolloutDocument(100))
    engine.resolveVariant(FLAG, { targetingKey: 'session-9' })
    engine.evaluate('missing', 3)
    expect(sink.records).toEqual([
      {
        flagKey: FLAG,
        variant: 'canary',
        reason: 'TARGETING_MATCH',
        errorCode: undefined,
        errorMessage: undefined,
        providerName: 'canarykit',
        contextId: 'session-9',
        value: undefined,
        flagMetadata: {},
      },
      {
        flagKey: 'missing',
        variant: undefined,
        reason: 'ERROR',
        errorCode: 'FLAG_NOT_FOUND',
        errorMessage: 'flag "missing" not found',
        providerName: 'canarykit',
        contextId: undefined,
        value: 3,
        flagMetadata: {},
      },
    ])
  })

  it('keeps evaluating when a recorder throws, and still feeds the other recorders', () => {
    const sink = recorded()
    const warnings: string[] = []
    const engine = instrumentEngine(
      createEngine(),
      [
        {
          recordEvaluation() {
            throw new Error('recorder down')
          },
        },
        sink,
      ],
      { logger: { warn: (line) => warnings.push(line) } },
    )
    engine.load(rolloutDocument(0))
    expect(engine.resolveVariant(FLAG, { targetingKey: 's' }).variant).toBe('stable')
    expect(sink.records).toHaveLength(1)
    expect(warnings).toEqual([
      'canarykit telemetry: an evaluation recorder threw: Error: recorder down',
    ])
  })

  it('refuses something that is not a recorder', () => {
    let error: unknown
    try {
      instrumentEngine(createEngine(), [{} as never])
    } catch (e) {
      error = e
    }
    expect(isFlagsError(error) && error.code).toBe('INVALID_ARGUMENT')
  })
})
