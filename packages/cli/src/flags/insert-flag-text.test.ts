import { describe, expect, it } from 'vitest'
import { insertFlagText } from './insert-flag-text.js'

const FLAG = { state: 'ENABLED', variants: { a: 1, b: 2 }, defaultVariant: 'a' }

describe('insertFlagText', () => {
  it('appends after the last flag, keeping every other byte', () => {
    const before =
      '{\n  "flags": {\n    "x": {"state":"ENABLED","variants":{"on":true},"defaultVariant":"on"}\n  }\n}\n'
    expect(insertFlagText(before, 'y', FLAG)).toBe(
      '{\n  "flags": {\n    "x": {"state":"ENABLED","variants":{"on":true},"defaultVariant":"on"},\n' +
        '    "y": {\n      "state": "ENABLED",\n      "variants": { "a": 1, "b": 2 },\n' +
        '      "defaultVariant": "a"\n    }\n  }\n}\n',
    )
  })

  it('fills an empty object written on one line, with tabs and CRLF as found', () => {
    const before = '\uFEFF{\r\n\t"$schema": "s",\r\n\t"flags": {}\r\n}\r\n'
    const after = insertFlagText(before, 'y', FLAG)
    expect(after).toBe(
      '\uFEFF{\r\n\t"$schema": "s",\r\n\t"flags": {\r\n\t\t"y": {\r\n' +
        '\t\t\t"state": "ENABLED",\r\n\t\t\t"variants": { "a": 1, "b": 2 },\r\n' +
        '\t\t\t"defaultVariant": "a"\r\n\t\t}\r\n\t}\r\n}\r\n',
    )
  })

  it('skips strings with braces and escapes when it looks for "flags"', () => {
    const before =
      '{"metadata": {"note": "a } \\" { ]"}, "flags": {"x": {"state": "ENABLED", "variants": {"on": true}}}}'
    const after = JSON.parse(insertFlagText(before, 'y', FLAG)) as {
      flags: object
      metadata: object
    }
    expect(after).toEqual({
      metadata: { note: 'a } " { ]' },
      flags: { x: { state: 'ENABLED', variants: { on: true } }, y: FLAG },
    })
  })

  it('uses the last of duplicate "flags" keys, as JSON.parse does', () => {
    const before = '{"flags": {"old": {}}, "flags": {}}'
    const after = JSON.parse(insertFlagText(before, 'y', FLAG)) as { flags: object }
    expect(after.flags).toEqual({ y: FLAG })
  })
})
