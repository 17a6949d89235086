import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseFeature, type Scenario } from './gherkin-scenarios.js'

/** The monorepo root, from this file's location (packages/core/test/conformance/). */
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

/** open-feature/flagd-testbed data, copied beside the checkout (see its README). */
export const TESTBED_DIR = resolve(REPO_ROOT, '../shared/flagd-testbed')

/** `undefined` when the testbed is not there at all (the suites then skip, loudly). */
export function locateTestbed(): string | undefined {
  return existsSync(TESTBED_DIR) ? TESTBED_DIR : undefined
}

/**
 * Parses the given feature files. A missing or unreadable file, a syntax error or a file
 * without scenarios throws: a present-but-broken testbed must fail the suite, not skip it.
 */
export function readFeatures(dir: string, fileNames: readonly string[]): Scenario[] {
  if (fileNames.length === 0) throw new Error(`no .feature files in ${dir}`)
  return fileNames.flatMap((fileName) => {
    const scenarios = parseFeature(readFileSync(join(dir, fileName), 'utf8'), fileName)
    if (scenarios.length === 0) throw new Error(`${join(dir, fileName)} has no scenarios`)
    return scenarios
  })
}

/** Every `.feature` file in a directory, alphabetical. Throws if the directory is missing. */
export function featureFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.feature'))
    .sort()
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * The testbed container's `allFlags.json`: every non-`selector-*` file of `flags/`, merged in
 * alphabetical order (recursive object merge, later file wins on scalars and arrays), which
 * is why `zero-flags.json` can `$ref` an evaluator defined in `evaluator-refs.json`.
 */
export function mergedFlags(flagsDir: string): string {
  const files = readdirSync(flagsDir)
    .filter((name) => name.endsWith('.json') && !name.startsWith('selector-'))
    .sort()
  if (files.length === 0) throw new Error(`no flag files in ${flagsDir}`)
  const merged = files
    .map((name) => JSON.parse(readFileSync(join(flagsDir, name), 'utf8')) as Json)
    .reduce((into, next) => deepMerge(into, next), {})
  return JSON.stringify(merged)
}

function deepMerge(into: Json, next: Json): Json {
  if (!isObject(into) || !isObject(next)) return next
  const result = { ...into }
  for (const [key, value] of Object.entries(next)) {
    const existing = result[key]
    result[key] = existing === undefined ? value : deepMerge(existing, value)
  }
  return result
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
