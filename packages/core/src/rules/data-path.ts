/** Names that a plain object inherits from `Object.prototype`: read them only as own properties. */
const inheritedNames: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype))

/**
 * Reads one property without ever reaching an inherited `Object.prototype` member (so
 * `__proto__`, `constructor` or `toString` in a rule cannot leak or touch prototypes).
 */
export function readProperty(from: unknown, key: string): unknown {
  if (from === null || from === undefined) return undefined
  if (inheritedNames.has(key) && !Object.hasOwn(from, key)) return undefined
  return (from as Record<string, unknown>)[key]
}

/**
 * A reader for one key, specialised at compile time: ordinary names are a plain property read
 * (an inherited method is a function, which `var` turns into `null` anyway).
 */
export function propertyReader(key: string): (from: unknown) => unknown {
  if (inheritedNames.has(key)) return (from) => readProperty(from, key)
  return (from) =>
    from === null || from === undefined ? undefined : (from as Record<string, unknown>)[key]
}

/** Follows a split path; `undefined` when any step is missing. */
export function readPath(from: unknown, path: readonly string[]): unknown {
  let current = from
  for (const key of path) {
    current = readProperty(current, key)
    if (current === undefined) return undefined
  }
  return current
}

/**
 * Splits a `var` path on dots; `\.` escapes a dot and `\\` a backslash (JsonLogic's dialect as
 * flagd's JavaScript engine reads it).
 */
export function splitPath(path: string): string[] {
  const parts: string[] = []
  let current = ''
  for (let i = 0; i < path.length; i++) {
    const char = path[i]
    if (char === '\\') {
      const next = path[i + 1]
      if (next === '.' || next === '/' || next === '\\') {
        current += next
        i++
      } else current += char
    } else if (char === '.') {
      parts.push(current)
      current = ''
    } else current += char
  }
  if (parts.length !== path.length) parts.push(current)
  return parts
}

/** A value as JsonLogic reads it for a path or a text: `String(value)`, objects included. */
export function textOf(value: unknown): string {
  return String(value)
}

/**
 * The attribute name of a rule that is exactly `{"var": "name"}` (or `["name"]`) with a plain,
 * one-segment name that needs no special handling — or `undefined`. Operators use it to read
 * the attribute inline instead of through a nested closure (the hot path of most flags).
 */
export function plainAttribute(rule: unknown, inIterator: boolean): string | undefined {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return undefined
  const keys = Object.keys(rule)
  if (keys.length !== 1 || keys[0] !== 'var') return undefined
  const raw = (rule as { var: unknown }).var
  const name = Array.isArray(raw) && raw.length === 1 ? (raw[0] as unknown) : raw
  if (typeof name !== 'string' || name === '' || /[.\\/]/.test(name) || inheritedNames.has(name))
    return undefined
  if (!inIterator && name === '$flagd') return undefined
  return name
}
