import { detectLayout, formatJson, type JsonLayout } from './json-format.js'
import { scanJson, type JsonMember, type JsonNode } from './json-scan.js'

/** How {@link spliceJson} produced its text. */
export type SpliceMode = 'unchanged' | 'splice' | 'reformat'

/**
 * Rewrites JSON `text` so that it parses to `after`, touching only the values that differ: every
 * other byte — key order, spacing, line breaks, a human's layout of other flags — stays as it was.
 * Changed values are written with the document's own indentation. New keys go at the end of their
 * object. If the splice cannot be proven right (it re-parses the result and compares), the whole
 * document is re-serialised with the detected indentation instead (`mode: 'reformat'`).
 *
 * @internal
 */
export function spliceJson(text: string, after: unknown): { text: string; mode: SpliceMode } {
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : ''
  const body = bom === '' ? text : text.slice(1)
  const before = JSON.parse(body) as unknown
  if (jsonEqual(before, after)) return { text, mode: 'unchanged' }
  const layout = detectLayout(body)
  try {
    const spliced = new Splicer(body, layout).render(scanJson(body), before, after)
    const result = body.slice(0, body.length - body.trimStart().length) + spliced + trailing(body)
    if (jsonEqual(JSON.parse(result), after)) return { text: bom + result, mode: 'splice' }
  } catch {
    // A scanner limit (e.g. extreme nesting): fall through to a full re-serialisation.
  }
  return { text: bom + formatJson(after, layout) + layout.eol, mode: 'reformat' }
}

class Splicer {
  constructor(
    private readonly text: string,
    private readonly layout: JsonLayout,
  ) {}

  render(node: JsonNode, a: unknown, b: unknown): string {
    if (jsonEqual(a, b)) return this.slice(node)
    if (node.kind === 'object' && isObject(a) && isObject(b)) {
      const keys = new Set(node.members.map((m) => m.key))
      if (keys.size === node.members.length) return this.object(node, a, b)
    }
    if (node.kind === 'array' && Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      return this.array(node, a, b)
    }
    return formatJson(b, this.layout, this.indentAt(node.start))
  }

  private array(node: JsonNode & { kind: 'array' }, a: unknown[], b: unknown[]): string {
    let out = ''
    let from = node.start
    node.items.forEach((item, i) => {
      out += this.text.slice(from, item.start) + this.render(item, a[i], b[i])
      from = item.end
    })
    return out + this.text.slice(from, node.end)
  }

  private object(
    node: JsonNode & { kind: 'object' },
    a: Record<string, unknown>,
    b: Record<string, unknown>,
  ): string {
    const { members } = node
    const added = Object.keys(b).filter((key) => has(b, key) && !has(a, key))
    const first = members[0]
    const last = members[members.length - 1]
    const parentIndent = this.indentAt(node.start)
    // The object's own separators, reused for members that move or are new.
    const lead =
      first === undefined
        ? this.layout.eol + parentIndent + this.layout.unit
        : this.text.slice(node.start + 1, first.start)
    const trail =
      last === undefined
        ? this.layout.eol + parentIndent
        : this.text.slice(last.value.end, node.end - 1)
    const second = members[1]
    const sep =
      first !== undefined && second !== undefined
        ? this.text.slice(first.value.end, second.start)
        : `,${lead}`
    const memberIndent = lead.includes('\n') ? (/[ \t]*$/.exec(lead)?.[0] ?? '') : parentIndent

    const parts: string[] = []
    let previous = -2
    members.forEach((member: JsonMember, i) => {
      if (!has(b, member.key)) return
      const before = parts.length === 0 ? lead : previous === i - 1 ? this.between(members, i) : sep
      const head = this.text.slice(member.start, member.value.start)
      parts.push(before + head + this.render(member.value, a[member.key], b[member.key]))
      previous = i
    })
    for (const key of added) {
      const value = formatJson(b[key], this.layout, memberIndent)
      parts.push((parts.length === 0 ? lead : sep) + `${JSON.stringify(key)}: ${value}`)
    }
    return parts.length === 0 ? '{}' : `{${parts.join('')}${trail}}`
  }

  private between(members: readonly JsonMember[], i: number): string {
    const previous = members[i - 1]
    const member = members[i]
    return previous === undefined || member === undefined
      ? ''
      : this.text.slice(previous.value.end, member.start)
  }

  private slice(node: JsonNode): string {
    return this.text.slice(node.start, node.end)
  }

  /** The indentation of the line `position` is on. */
  private indentAt(position: number): string {
    const lineStart = this.text.lastIndexOf('\n', position - 1) + 1
    return /^[ \t]*/.exec(this.text.slice(lineStart, position))?.[0] ?? ''
  }
}

function trailing(text: string): string {
  return text.slice(text.trimEnd().length)
}

function has(object: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(object, key) && object[key] !== undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Structural equality of JSON values (key order ignored). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]))
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined)
    const other = Object.keys(b).filter((key) => b[key] !== undefined)
    return (
      keys.length === other.length && keys.every((key) => has(b, key) && jsonEqual(a[key], b[key]))
    )
  }
  return false
}
