/**
 * Differential property test of the code generator: an engine with generated code (the default)
 * against one with closures only (`codegen: false`), on random documents and contexts. Both must
 * give the same value, variant, reason, error code, error message and metadata for every flag,
 * requested type and context, and the same `resolveVariant` and `evaluateAll` results.
 *
 * CODEGEN_RUNS=20000 CODEGEN_SEED=123 npx vitest run test/codegen.test.ts   # a longer run
 */
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createEngine, isFlagsError, type Engine } from '../src/index.js'
import { generateSource } from '../src/rules/codegen/code-generator.js'
import { resolveRefs } from '../src/load/resolve-refs.js'
import { DEFAULTS, REQUESTED_TYPES } from './arbitraries/engines.js'
import { evaluationContext, flagsDocument, type JsonRecord } from './arbitraries/flag-documents.js'
import { hotContext, hotDocument } from './arbitraries/hot-rules.js'

const RUNS = Number(process.env['CODEGEN_RUNS'] ?? 2000)
const SEED = Number(process.env['CODEGEN_SEED'] ?? 20260802)
const NOW_MS = Date.UTC(2026, 7, 1, 12, 0, 0)

type Context = Record<string, unknown>

/** Loads a document into a fresh engine; the load error's text if it is rejected. */
function load(document: JsonRecord, codegen: boolean): Engine | string {
  const engine = createEngine({ clock: () => NOW_MS, codegen })
  try {
    engine.load(JSON.stringify(document))
    return engine
  } catch (error) {
    if (!isFlagsError(error)) throw error
    return `${error.code}: ${error.message}`
  }
}

/** Every difference between the generated and the closure engine on these contexts. */
function differences(document: JsonRecord, contexts: readonly Context[]): string[] {
  const generated = load(document, true)
  const closures = load(document, false)
  if (typeof generated === 'string' || typeof closures === 'string') {
    return generated === closures ? [] : [`load: ${show(generated)} vs ${show(closures)}`]
  }
  const found: string[] = []
  const same = (what: string, a: unknown, b: unknown): void => {
    if (!isDeepStrictEqual(a, b)) {
      found.push(`${what}\n  generated: ${show(a)}\n  closures:  ${show(b)}`)
    }
  }
  const flagKeys = [...generated.flagKeys(), 'no-such-flag']
  for (const [i, context] of contexts.entries()) {
    for (const flagKey of flagKeys) {
      for (const type of REQUESTED_TYPES) {
        const fallback = DEFAULTS[type] as never
        same(
          `${flagKey} as ${type}, context #${i}`,
          generated.evaluate(flagKey, fallback, context),
          closures.evaluate(flagKey, fallback, context),
        )
      }
      same(
        `resolveVariant ${flagKey}, context #${i}`,
        generated.resolveVariant(flagKey, context),
        closures.resolveVariant(flagKey, context),
      )
    }
    same(
      `evaluateAll, context #${i}`,
      generated.evaluateAll(context),
      closures.evaluateAll(context),
    )
  }
  return found
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** How much of a document's targeting the generator turned into code (all of it: `whole`). */
interface Coverage {
  flags: number
  generated: number
  whole: number
}

function measureCoverage(document: JsonRecord, into: Coverage): void {
  const evaluators = (document['$evaluators'] ?? {}) as Record<string, unknown>
  for (const [flagKey, flag] of Object.entries(document['flags'] as Record<string, JsonRecord>)) {
    into.flags++
    let rule: unknown
    try {
      rule = resolveRefs(flag['targeting'], evaluators, '')
    } catch {
      continue
    }
    const options = { flagKey, nowSeconds: () => 0, path: '' }
    const outcomes = { variants: new Map(), defaultVariant: undefined }
    let source: string | undefined
    try {
      source = generateSource(rule, options, outcomes)?.source
    } catch {
      // The closure compiler refuses this rule (PARSE_ERROR): nothing to generate.
    }
    if (source === undefined) continue
    // A syntax error would silently fall back to closures: none may occur.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    expect(() => new Function('h', 'k', source)).not.toThrow()
    into.generated++
    // Closures of the closure compiler are called as `k<n>(data, root)`.
    if (!/k\d+\(data, root\)/.test(source)) into.whole++
  }
}

function property(
  documents: fc.Arbitrary<JsonRecord>,
  contexts: fc.Arbitrary<Context[]>,
  coverage: Coverage,
): fc.IPropertyWithHooks<[JsonRecord, Context[]]> {
  return fc.property(documents, contexts, (document, list) => {
    measureCoverage(document, coverage)
    const found = differences(document, list)
    if (found.length > 0) {
      throw new Error(
        `generated code and closures disagree\ndocument: ${JSON.stringify(document)}\n${found.slice(0, 3).join('\n')}`,
      )
    }
  })
}

describe('generated code vs closures', () => {
  test(
    `agree on ${RUNS} documents from the flagd differential generator (seed ${SEED})`,
    {
      timeout: 600_000,
    },
    () => {
      const coverage: Coverage = { flags: 0, generated: 0, whole: 0 }
      const documents = flagsDocument({ depth: 4, extensions: true })
      const contexts = fc.array<Context>(evaluationContext, {
        minLength: 1,
        maxLength: 3,
      })
      fc.assert(property(documents, contexts, coverage), { numRuns: RUNS, seed: SEED })
      // Most flags of that generator mix in operators outside the subset, yet many are generated.
      expect(coverage.generated / coverage.flags).toBeGreaterThan(0.35)
      expect(coverage.whole / coverage.flags).toBeGreaterThan(0.15)
    },
  )

  test(
    `agree on ${RUNS} documents of the generated subset, with program values in contexts`,
    {
      timeout: 600_000,
    },
    () => {
      const coverage: Coverage = { flags: 0, generated: 0, whole: 0 }
      const contexts = fc.array(hotContext, { minLength: 1, maxLength: 3 })
      fc.assert(property(hotDocument, contexts, coverage), { numRuns: RUNS, seed: SEED + 1 })
      // The rest is odd forms (left to closures), constant rules and PARSE_ERRORs.
      expect(coverage.generated / coverage.flags).toBeGreaterThan(0.5)
      expect(coverage.whole / coverage.flags).toBeGreaterThan(0.12)
    },
  )
})
