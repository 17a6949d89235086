import { describe, expect, it } from 'vitest'
import { spliceJson } from './json-splice.js'

/** A file laid out by hand: odd spacing, one-line objects, a blank line, 4-space indentation. */
const HUMAN = `{
    "$schema": "https://flagd.dev/schema/v0/flags.json",
    "flags": {
        "other":   { "state": "ENABLED", "variants": {"on": true,"off": false}, "defaultVariant": "off" },

        "new-search": {
            "state": "ENABLED",
            "variants": { "stable": "v1", "canary": "v2" },
            "defaultVariant": "stable",
            "targeting": { "fractional": [ ["canary", 100], ["stable", 9900] ] },
            "metadata": { "owner": "search-team" }
        }
    }
}
`

type Obj = Record<string, unknown>

/** The object at `path` inside `doc`. */
function at(doc: Obj, ...path: string[]): Obj {
  return path.reduce((node, key) => node[key] as Obj, doc)
}

function edit(text: string, change: (doc: Obj) => void): { text: string; mode: string } {
  const doc = JSON.parse(text) as Obj
  change(doc)
  const out = spliceJson(text, doc)
  expect(JSON.parse(out.text)).toEqual(doc)
  return out
}

/** Lines of `after` that are not in `before`. */
function changedLines(before: string, after: string): string[] {
  const old = new Set(before.split('\n'))
  return after.split('\n').filter((line) => !old.has(line))
}

describe('spliceJson', () => {
  it('changes only the values that differ, byte for byte elsewhere', () => {
    const out = edit(HUMAN, (doc) => {
      at(doc, 'flags', 'new-search', 'targeting')['fractional'] = [
        ['canary', 1000],
        ['stable', 9000],
      ]
    })
    expect(out.mode).toBe('splice')
    expect(out.text).toBe(HUMAN.replace('100]', '1000]').replace('9900]', '9000]'))
  })

  it('returns the text untouched when nothing changes', () => {
    expect(spliceJson(HUMAN, JSON.parse(HUMAN))).toEqual({ text: HUMAN, mode: 'unchanged' })
  })

  it('appends a new section with the detected indentation and keeps the rest', () => {
    const out = edit(HUMAN, (doc) => {
      doc['canarykit'] = {
        rollouts: { 'new-search': { stage: 0, plan: { stages: [{ percentage: 1 }] } } },
      }
    })
    const section = [
      '    "canarykit": {',
      '        "rollouts": {',
      '            "new-search": {',
      '                "stage": 0,',
      '                "plan": {',
      '                    "stages": [',
      '                        { "percentage": 1 }',
      '                    ]',
      '                }',
      '            }',
      '        }',
      '    }',
    ].join('\n')
    expect(out.text).toBe(HUMAN.replace(/\n {4}}\n}\n$/, `\n    },\n${section}\n}\n`))
  })

  it('removes a member and adds keys to a one-line object without touching other flags', () => {
    const out = edit(HUMAN, (doc) => {
      const flag = at(doc, 'flags', 'new-search')
      delete flag['targeting']
      flag['defaultVariant'] = 'stable'
      at(flag, 'metadata')['canarykit.pinEpoch'] = 1
    })
    expect(changedLines(HUMAN, out.text)).toEqual([
      '            "metadata": { "owner": "search-team", "canarykit.pinEpoch": 1 }',
    ])
    expect(out.text).not.toContain('fractional')
    expect(out.text).toContain(
      '"other":   { "state": "ENABLED", "variants": {"on": true,"off": false}, "defaultVariant": "off" },\n\n',
    )
  })

  it('removes the first member of an object', () => {
    const text = '{"flags": {}, "a": {"x": 1, "y": 2}}'
    expect(edit(text, (doc) => delete at(doc, 'a')['x']).text).toBe('{"flags": {}, "a": {"y": 2}}')
    expect(edit(text, (doc) => delete at(doc, 'a')['y']).text).toBe('{"flags": {}, "a": {"x": 1}}')
    expect(edit(text, (doc) => (doc['a'] = {})).text).toBe('{"flags": {}, "a": {}}')
  })

  it('fills an empty object on new lines', () => {
    const text = '{\n  "flags": {}\n}\n'
    expect(edit(text, (doc) => (at(doc, 'flags')['f'] = { state: 'ENABLED' })).text).toBe(
      '{\n  "flags": {\n    "f": { "state": "ENABLED" }\n  }\n}\n',
    )
  })

  it('keeps tabs, CRLF line endings and a byte-order mark', () => {
    const text =
      '\ufeff{\r\n\t"flags": {\r\n\t\t"f": {\r\n\t\t\t"state": "ENABLED"\r\n\t\t}\r\n\t}\r\n}\r\n'
    const out = edit(text.slice(1), () => undefined)
    expect(out.mode).toBe('unchanged')
    const doc = JSON.parse(text.slice(1)) as Obj
    at(doc, 'flags', 'f')['extra'] = { a: [{ c: 1 }] }
    const spliced = spliceJson(text, doc).text
    expect(spliced).toBe(
      '\ufeff{\r\n\t"flags": {\r\n\t\t"f": {\r\n\t\t\t"state": "ENABLED",\r\n\t\t\t"extra": {\r\n\t\t\t\t"a": [\r\n\t\t\t\t\t{ "c": 1 }\r\n\t\t\t\t]\r\n\t\t\t}\r\n\t\t}\r\n\t}\r\n}\r\n',
    )
  })

  it('writes short arrays on one line and long ones across lines', () => {
    const out = edit('{\n  "a": 1\n}', (doc) => {
      doc['split'] = {
        fractional: [
          ['canary', 100],
          ['stable', 9900],
        ],
      }
      doc['long'] = Array.from({ length: 30 }, (_, i) => `item-${i}`)
    })
    expect(out.text).toContain('"fractional": [["canary", 100], ["stable", 9900]]')
    expect(out.text).toContain('"long": [\n    "item-0",\n')
  })

  it('handles duplicate keys the way JSON.parse does (the last one wins)', () => {
    const text = '{"flags": {}, "a": 1, "a": 2, "b": 3}'
    const out = edit(text, (doc) => (doc['b'] = 4))
    expect(JSON.parse(out.text)).toEqual({ flags: {}, a: 2, b: 4 })
    edit(text, (doc) => (doc['a'] = 5))
  })

  it('keeps escaped strings and numbers as written', () => {
    const text = '{"s": "a\\"b\\\\", "n": 1.50e2, "u": "\\u00e9", "x": [1, 2]}'
    const out = edit(text, (doc) => (doc['x'] = [1, 3]))
    expect(out.text).toBe('{"s": "a\\"b\\\\", "n": 1.50e2, "u": "\\u00e9", "x": [1, 3]}')
  })
})
