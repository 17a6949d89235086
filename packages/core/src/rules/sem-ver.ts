import { coerce, parse, type SemVer } from 'semver'
import type { OperatorCompiler } from './operator.js'
import { dynamic, opaque } from './compiled.js'
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
      return precedence(left, right) === 0
    case '!=':
      return precedence(left, right) !== 0
    case '<':
      return precedence(left, right) < 0
    case '<=':
      return precedence(left, right) <= 0
    case '>':
      return precedence(left, right) > 0
    case '>=':
      return precedence(left, right) >= 0
    case '^':
      return left.major === right.major
    case '~':
      return left.major === right.major && left.minor === right.minor
    default:
      return null
  }
}

/** SemVer 2.0.0 precedence without allocating (semver's `compare` builds new objects). */
function precedence(left: SemVer, right: SemVer): number {
  return (
    left.major - right.major ||
    left.minor - right.minor ||
    left.patch - right.patch ||
    (left.prerelease.length === 0 && right.prerelease.length === 0 ? 0 : left.comparePre(right))
  )
}

/** Parses context versions through a small bounded cache (the same few versions recur). */
export function versionParser(): (value: unknown) => SemVer | null {
  const cache = new Map<string, SemVer | null>()
  return (value) => {
    if (typeof value !== 'string') return parseVersion(value)
    let version = cache.get(value)
    if (version === undefined) {
      version = parseVersion(value)
      if (cache.size >= 256) cache.clear()
      cache.set(value, version)
    }
    return version
  }
}

/**
 * `{"sem_ver": [version, operator, version]}`; `null` on any bad input. A literal operator and
 * right-hand version (the usual `[{"var": "appVersion"}, ">=", "2.1.0"]`) are parsed at load.
 */
export const compileSemVer: OperatorCompiler = (raw, scope, path) => {
  const read = versionParser()
  if (
    Array.isArray(raw) &&
    raw.length === 3 &&
    typeof raw[1] === 'string' &&
    typeof raw[2] === 'string'
  ) {
    const operator = raw[1]
    const right = parseVersion(raw[2])
    const left = scope.compile(raw[0], scope, `${path}/0`).fn
    if (right === null || compareVersions(right, operator, right) === null) {
      return dynamic((data, root) => (left(data, root), null))
    }
    return dynamic((data, root) => {
      const version = read(left(data, root))
      return version === null ? null : compareVersions(version, operator, right)
    })
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
