/*
 * Locates values in JSON text by position, so an edit can replace just the values it changes and
 * leave every other byte (a human's formatting of other flags) as it was. Only called on text that
 * `JSON.parse` accepted, so it does not re-validate.
 */

/** A JSON value's span in the text, with its children. */
export type JsonNode =
  | {
      readonly kind: 'object'
      readonly start: number
      readonly end: number
      readonly members: readonly JsonMember[]
    }
  | {
      readonly kind: 'array'
      readonly start: number
      readonly end: number
      readonly items: readonly JsonNode[]
    }
  | { readonly kind: 'scalar'; readonly start: number; readonly end: number }

export interface JsonMember {
  readonly key: string
  /** Where the key's opening quote is. */
  readonly start: number
  readonly value: JsonNode
}

/** Characters that end a number or a literal: whitespace, `,`, `]`, `}`. */
const ENDS_SCALAR = new Set([0x20, 0x0a, 0x0d, 0x09, 0x2c, 0x5d, 0x7d])

/**
 * Scans valid JSON text into spans.
 *
 * @internal
 */
export function scanJson(text: string): JsonNode {
  let at = 0

  function skipSpace(): void {
    while (at < text.length) {
      const c = text.charCodeAt(at)
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return
      at++
    }
  }

  function stringEnd(from: number): number {
    let i = from + 1
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c === 0x5c) i += 2
      else if (c === 0x22) return i + 1
      else i++
    }
    throw new SyntaxError('unterminated string')
  }

  function value(): JsonNode {
    skipSpace()
    const start = at
    const c = text[at]
    if (c === '{') {
      at++
      const members: JsonMember[] = []
      skipSpace()
      if (text[at] === '}') return { kind: 'object', start, end: ++at, members }
      for (;;) {
        skipSpace()
        const keyStart = at
        at = stringEnd(at)
        const raw = text.slice(keyStart + 1, at - 1)
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
        skipSpace()
        at++ // ':'
        members.push({ key, start: keyStart, value: value() })
        skipSpace()
        if (text[at++] === '}') return { kind: 'object', start, end: at, members }
      }
    }
    if (c === '[') {
      at++
      const items: JsonNode[] = []
      skipSpace()
      if (text[at] === ']') return { kind: 'array', start, end: ++at, items }
      for (;;) {
        items.push(value())
        skipSpace()
        if (text[at++] === ']') return { kind: 'array', start, end: at, items }
      }
    }
    if (c === '"') {
      at = stringEnd(at)
      return { kind: 'scalar', start, end: at }
    }
    while (at < text.length && !ENDS_SCALAR.has(text.charCodeAt(at))) at++
    return { kind: 'scalar', start, end: at }
  }

  return value()
}
