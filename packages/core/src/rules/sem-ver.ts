import { coerce, compare, parse, type SemVer } from 'semver'
import type { OperatorCompiler } from './operator.js'
import { opaque } from './compiled.js'
import { listOperator } from './ops-string.js'

/**
 * A version as flagd reads it: one leading `v`/`V` stripped, `1` and `1.2` padded with zeros,
 * numbers stringified; anything else that is not SemVer 2.0.0 is `null`.
 */
export function parseVersion(raw: unknown): SemVer | null {
  const text = String(raw).replace(/^[vV]/, '')
  const strict = parse(text)
  if (strict) return strict
  return /^\d+(\.\d+)?$/.test(text) ? coerce(text) : null
}

/**
 * flagd's operators; `^` means same major and `~` same major and minor (not npm ranges).
 */
export function compareVersions(left: SemVer, operator: string, right: SemVer): boolean | null {
  switch (operator) {
    case '=':
      return compare(left, right) === 0
    case '!=':
      return compare(left, right) !== 0
    case '<':
      return compare(left, right) < 0
    case '<=':
      return compare(left, right) <= 0
    case '>':
      return compare(left, right) > 0
    case '>=':
      return compare(left, right) >= 0
    case '^':
      return left.major === right.major
    case '~':
      return left.major === right.major && left.minor === right.minor
    default:
      return null
  }
}

/** `{"sem_ver": [version, operator, version]}`; `null` on any bad input. */
export const compileSemVer: OperatorCompiler = (raw, scope, path) => {
  const cache = new Map<string, SemVer | null>()
  // Literal versions in the rule are parsed once; context versions through a small cache.
  const read = (value: unknown): SemVer | null => {
    const key = typeof value === 'string' ? value : undefined
    if (key === undefined) return parseVersion(value)
    let version = cache.get(key)
    if (version === undefined) {
      version = parseVersion(key)
      if (cache.size >= 256) cache.clear()
      cache.set(key, version)
    }
    return version
  }
  return opaque(
    listOperator(raw, scope, path, (args) => {
      if (args.length !== 3) return null
      const left = read(args[0])
      const right = read(args[2])
      if (!left || !right) return null
      return compareVersions(left, String(args[1]), right)
    }),
  )
}
