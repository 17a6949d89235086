import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createEngine, isFlagsError } from '@canarykit/core'

// The official flagd schema test documents (../shared/flagd-schemas beside the repo).
const schemas = fileURLToPath(new URL('../../../../shared/flagd-schemas/', import.meta.url))
const present = existsSync(schemas)
if (!present)
  console.warn(`flagd schema documents not found at ${schemas}: schema document tests skipped`)

const documents = (dir: string): string[] =>
  readdirSync(schemas + dir).filter((file) => file.endsWith('.json'))

describe.skipIf(!present)('official flagd schema documents', () => {
  it('has documents to test', () => {
    expect(documents('test/flags/positive').length).toBeGreaterThan(5)
    expect(documents('test/flags/negative').length).toBeGreaterThan(5)
  })

  // The daemon flavour lists flags as an array; providers (and canarykit) read the object form.
  const daemonOnly = new Set(['example.flagdimport.array.json'])

  it.each(present ? documents('test/flags/positive').filter((f) => !daemonOnly.has(f)) : [])(
    'loads positive/%s',
    (file) => {
      const result = createEngine().load(
        readFileSync(`${schemas}test/flags/positive/${file}`, 'utf8'),
        { source: file },
      )
      expect(result.brokenFlags).toEqual([])
    },
  )

  it.each(present ? documents('test/flags/negative') : [])('refuses negative/%s', (file) => {
    const text = readFileSync(`${schemas}test/flags/negative/${file}`, 'utf8')
    let rejected: unknown
    let broken: readonly unknown[] = []
    try {
      broken = createEngine().load(text, { source: file }).brokenFlags
    } catch (error) {
      rejected = error
    }
    // Structure problems reject the document; an invalid rule breaks only its flag (PARSE_ERROR).
    if (rejected === undefined) expect(broken.length).toBeGreaterThan(0)
    else {
      expect(isFlagsError(rejected)).toBe(true)
      expect((rejected as Error).message.startsWith(`${file}: `)).toBe(true)
    }
  })

  it.each(present ? documents('examples') : [])('loads examples/%s', (file) => {
    expect(
      createEngine().load(readFileSync(`${schemas}examples/${file}`, 'utf8')).brokenFlags,
    ).toEqual([])
  })

  it.each(present ? documents('test/targeting/negative') : [])(
    'warns about targeting/negative/%s',
    (file) => {
      const rule = JSON.parse(
        readFileSync(`${schemas}test/targeting/negative/${file}`, 'utf8'),
      ) as unknown
      const doc = {
        flags: {
          f: {
            state: 'ENABLED',
            variants: { a: 'a', b: 'b' },
            defaultVariant: 'a',
            targeting: rule,
          },
        },
      }
      const result = createEngine().load(JSON.stringify(doc))
      // flagd tolerates these (its conformance suite depends on it); canarykit reports them.
      expect([...result.warnings, ...result.brokenFlags].length).toBeGreaterThan(0)
    },
  )

  it.each(present ? documents('test/targeting/positive') : [])(
    'accepts and compiles targeting/positive/%s',
    (file) => {
      const rule = JSON.parse(
        readFileSync(`${schemas}test/targeting/positive/${file}`, 'utf8'),
      ) as Record<string, unknown>
      // Several documents list unrelated sample rules as the arguments of one "*": compile each.
      const samples = Array.isArray(rule['*']) ? (rule['*'] as unknown[]) : [rule]
      for (const sample of samples) {
        const doc = {
          flags: {
            f: {
              state: 'ENABLED',
              variants: { a: 'a', b: 'b' },
              defaultVariant: 'a',
              targeting: sample,
            },
          },
          $evaluators: { 'some-ref': { '==': [1, 1] } },
        }
        const result = createEngine().load(JSON.stringify(doc))
        expect(result.warnings).toEqual([])
        expect(result.brokenFlags).toEqual([])
      }
    },
  )
})
