import { isDeepStrictEqual } from 'node:util'
import { formatJson } from './format-json.js'

/*
 * TEMPORARY thin equivalent of the guard's minimal JSON splice (persistence/json-splice.ts), which
 * @canarykit/guard does not export: adds one flag at the end of "flags" and leaves every other
 * byte of a human's file as it was. The result is proven by re-parsing it; when that fails the
 * whole document is re-serialised instead. Replace with the guard's writer once it is exported.
 */

/**
 * `text` (valid JSON with a top-level `flags` object) with `flags[flagKey] = definition` added as
 * its last member.
 */
export function insertFlagText(text: string, flagKey: string, definition: unknown): string {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : ''
  const body = text.slice(bom.length)
  const document = JSON.parse(body) as Record<string, unknown>
  const flags = document['flags'] as Record<string, unknown>
  const expected = { ...document, flags: { ...flags, [flagKey]: definition } }
  const eol = body.includes('\r\n') ? '\r\n' : '\n'
  const unit = indentUnit(body)
  try {
    const span = flagsSpan(body)
    if (span !== undefined) {
      const result = insertMember(body, span, flagKey, definition, unit, eol)
      if (isDeepStrictEqual(JSON.parse(result), expected)) return bom + result
    }
  } catch {
    // Fall through to a full re-serialisation.
  }
  return `${bom}${formatJson(expected, unit, '', eol)}${eol}`
}

function insertMember(
  body: string,
  span: { readonly start: number; readonly end: number },
  key: string,
  value: unknown,
  unit: string,
  eol: string,
): string {
  const close = span.end - 1 // the "}" of "flags"
  let last = close - 1
  while (last > span.start && /\s/.test(body.charAt(last))) last--
  const lineStart = body.lastIndexOf('\n', close) + 1
  const beforeClose = body.slice(lineStart, close)
  // The "}" on its own line gives the indentation; else (`"flags": {}`) the line "flags" is on.
  const outer = /^[ \t]*$/.test(beforeClose)
    ? beforeClose
    : leadingSpace(body, body.lastIndexOf('\n', span.start) + 1)
  const inner = outer + unit
  const head = `${inner}${JSON.stringify(key)}: `
  const member = head + formatJson(value, unit, inner, eol, head.length)
  const comma = body.charAt(last) === '{' ? '' : ','
  return `${body.slice(0, last + 1)}${comma}${eol}${member}${eol}${outer}${body.slice(close)}`
}

/** Where the value of the top-level "flags" member starts and ends. */
function flagsSpan(body: string): { start: number; end: number } | undefined {
  let i = skipSpace(body, 0)
  if (body.charAt(i) !== '{') return undefined
  i = skipSpace(body, i + 1)
  let found: { start: number; end: number } | undefined
  while (body.charAt(i) === '"') {
    const keyEnd = skipValue(body, i)
    const key = JSON.parse(body.slice(i, keyEnd)) as string
    i = skipSpace(body, keyEnd)
    if (body.charAt(i) !== ':') return undefined
    const start = skipSpace(body, i + 1)
    const end = skipValue(body, start)
    // JSON.parse keeps the last of duplicate keys; so does this.
    if (key === 'flags' && body.charAt(start) === '{') found = { start, end }
    i = skipSpace(body, end)
    if (body.charAt(i) !== ',') break
    i = skipSpace(body, i + 1)
  }
  return found
}

/** The index just after the JSON value starting at `i` (the text is known to be valid JSON). */
function skipValue(body: string, i: number): number {
  const first = body.charAt(i)
  if (first === '"') {
    let j = i + 1
    while (body.charAt(j) !== '"') j += body.charAt(j) === '\\' ? 2 : 1
    return j + 1
  }
  if (first === '{' || first === '[') {
    let depth = 0
    let j = i
    do {
      const c = body.charAt(j)
      if (c === '"') {
        j = skipValue(body, j)
        continue
      }
      if (c === '{' || c === '[') depth++
      else if (c === '}' || c === ']') depth--
      j++
    } while (depth > 0 && j < body.length)
    return j
  }
  let j = i
  while (j < body.length && !/[\s,\]}]/.test(body.charAt(j))) j++
  return j
}

function skipSpace(body: string, i: number): number {
  while (i < body.length && /\s/.test(body.charAt(i))) i++
  return i
}

function leadingSpace(body: string, lineStart: number): string {
  return /^[ \t]*/.exec(body.slice(lineStart))?.[0] ?? ''
}

/** The document's indentation step: a tab, or the smallest leading run of spaces (default 2). */
function indentUnit(body: string): string {
  let unit: string | undefined
  for (const match of body.matchAll(/\n([ \t]+)\S/g)) {
    const lead = match[1] ?? ''
    if (lead.startsWith('\t')) return '\t'
    if (unit === undefined || lead.length < unit.length) unit = lead
  }
  return unit ?? '  '
}
