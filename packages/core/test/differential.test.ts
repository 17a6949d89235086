/**
 * Differential property test: canarykit against `@openfeature/flagd-core` 4.0.1 (the JS flagd
 * evaluator, json-logic-engine in compiled mode) on random schema-valid documents and contexts.
 *
 * Deliberate divergences are either kept out by the generator (see arbitraries/flag-documents.ts)
 * or set aside by the comparison (see arbitraries/engines.ts); docs/flagd-compatibility.md lists
 * them all, and divergences.test.ts pins each one.
 *
 * DIFF_RUNS=20000 DIFF_SEED=123 npx vitest run test/differential.test.ts   # a longer run
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { compareDocument, describeMismatches, type Tally } from './arbitraries/engines.js'
import { evaluationContext, flagsDocument, type Json } from './arbitraries/flag-documents.js'

const RUNS = Number(process.env['DIFF_RUNS'] ?? 1500)
const SEED = Number(process.env['DIFF_SEED'] ?? 20260801)
/** flagd-core reads `Date.now()` for `$flagd.timestamp`; both engines see this instant. */
const NOW_MS = Date.UTC(2026, 7, 1, 12, 0, 0)

const documents = flagsDocument({ depth: 4, extensions: true })
const contexts = fc.array(evaluationContext, { minLength: 1, maxLength: 2 })

/** Every operator flagd's targeting schema allows. */
const FLAGD_OPERATORS = [
  'var',
  'missing',
  'missing_some',
  'if',
  '==',
  '===',
  '!=',
  '!==',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  'max',
  'min',
  'cat',
  'substr',
  'in',
  'merge',
  'map',
  'filter',
  'all',
  'some',
  'none',
  'reduce',
  '!',
  '!!',
  'and',
  'or',
  'starts_with',
  'ends_with',
  'sem_ver',
  'fractional',
  '$ref',
]

function collectKeys(value: Json, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collectKeys(item, into)
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      into.add(key)
      collectKeys(child, into)
    }
  }
}

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW_MS)
})
afterAll(() => {
  vi.useRealTimers()
})

describe('canarykit vs flagd-core', () => {
  test('the generator uses every operator of flagd', () => {
    const seen = new Set<string>()
    for (const document of fc.sample(documents, { numRuns: 300, seed: SEED })) {
      collectKeys(document, seen)
    }
    expect(FLAGD_OPERATORS.filter((operator) => !seen.has(operator))).toEqual([])
  })

  test(`agree on ${RUNS} generated documents (seed ${SEED})`, { timeout: 600_000 }, () => {
    const tally: Tally = new Map()
    fc.assert(
      fc.property(documents, contexts, (document, list) => {
        const mismatches = compareDocument(document, list, NOW_MS, tally)
        if (mismatches.length > 0) throw new Error(describeMismatches(document, mismatches))
      }),
      { numRuns: RUNS, seed: SEED },
    )
    // The generator must reach every outcome, or the agreement above says little.
    for (const outcome of [
      'STATIC',
      'TARGETING_MATCH',
      'DEFAULT',
      'DISABLED',
      'ERROR/FLAG_NOT_FOUND',
      'ERROR/PARSE_ERROR',
      'ERROR/GENERAL',
      'ERROR/TYPE_MISMATCH',
    ]) {
      expect(tally.get(outcome) ?? 0, outcome).toBeGreaterThan(0)
    }
  })
})
