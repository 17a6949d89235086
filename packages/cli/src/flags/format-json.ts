/** A value whose one-line form fits in this many columns (where it starts) stays on one line. */
const WIDTH = 80

/**
 * JSON laid out as people (and Prettier) lay out flags files: a value that fits on the rest of
 * its line stays on one line (`"fractional": [["canary", 100], ["stable", 9900]]`), anything
 * longer gets one member per line. `indent` is the indentation of the line the value starts on;
 * `column` is where on that line it starts (default: right after the indentation).
 */
export function formatJson(
  value: unknown,
  unit = '  ',
  indent = '',
  eol = '\n',
  column = indent.length,
): string {
  const line = oneLine(value)
  if (column + line.length <= WIDTH || typeof value !== 'object' || value === null) return line
  const inner = indent + unit
  if (Array.isArray(value)) {
    const items = value.map((item) => inner + formatJson(item, unit, inner, eol))
    return `[${eol}${items.join(`,${eol}`)}${eol}${indent}]`
  }
  const members = Object.entries(value).map(([key, item]) => {
    const head = `${inner}${JSON.stringify(key)}: `
    return head + formatJson(item, unit, inner, eol, head.length)
  })
  return `{${eol}${members.join(`,${eol}`)}${eol}${indent}}`
}

/** `{ "a": [1, 2] }`: Prettier's spacing, on one line. */
function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`)
    return members.length === 0 ? '{}' : `{ ${members.join(', ')} }`
  }
  return JSON.stringify(value ?? null)
}
