/*
 * Serialises JSON the way people lay out flags files (and Prettier does): one member per line,
 * but short arrays of scalars and short objects of scalars on one line — so a guard-written
 * `fractional` reads `[["canary", 1000], ["stable", 9000]]`, not eight lines.
 */

/** How new text is laid out. */
export interface JsonLayout {
  /** One level of indentation, e.g. two spaces or a tab. */
  readonly unit: string
  readonly eol: string
}

/** Arrays whose one-line form fits this many columns (with its indentation) stay on one line. */
const WIDTH = 80

/**
 * The indentation and line ending a document uses (default: two spaces, `\n`).
 *
 * @internal
 */
export function detectLayout(text: string): JsonLayout {
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  let unit: string | undefined
  let seen = 0
  for (const match of text.matchAll(/\n([ \t]+)\S/g)) {
    if (++seen > 200) break // the top of the file is enough
    const lead = match[1] ?? ''
    if (lead.startsWith('\t')) {
      unit = '\t'
      break
    }
    if (unit === undefined || lead.length < unit.length) unit = lead
    if (unit.length === 1) break
  }
  return { unit: unit ?? '  ', eol }
}

/**
 * `value` as text whose first line starts at a line indented by `indent`.
 *
 * @internal
 */
export function formatJson(value: unknown, layout: JsonLayout, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const flat = value.every(
      (item) => typeof item !== 'object' || item === null || Array.isArray(item),
    )
    if (flat) {
      const line = oneLine(value)
      if (line !== undefined && indent.length + line.length <= WIDTH) return line
    }
    const inner = indent + layout.unit
    const items = value.map((item) => inner + formatJson(item, layout, inner))
    return `[${layout.eol}${items.join(`,${layout.eol}`)}${layout.eol}${indent}]`
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
    if (entries.length === 0) return '{}'
    if (entries.every(([, item]) => typeof item !== 'object' || item === null)) {
      const line = `{ ${entries.map(([key, item]) => `${JSON.stringify(key)}: ${JSON.stringify(item)}`).join(', ')} }`
      if (indent.length + line.length <= WIDTH) return line
    }
    const inner = indent + layout.unit
    const members = entries.map(
      ([key, item]) => `${inner}${JSON.stringify(key)}: ${formatJson(item, layout, inner)}`,
    )
    return `{${layout.eol}${members.join(`,${layout.eol}`)}${layout.eol}${indent}}`
  }
  return JSON.stringify(value ?? null)
}

/** Arrays of scalars and arrays, on one line; `undefined` when an object is inside. */
function oneLine(value: unknown): string | undefined {
  if (!Array.isArray(value)) {
    return typeof value === 'object' && value !== null ? undefined : JSON.stringify(value ?? null)
  }
  const items: string[] = []
  for (const item of value) {
    const text = oneLine(item)
    if (text === undefined) return undefined
    items.push(text)
  }
  return `[${items.join(', ')}]`
}
