import { compileArgList, compileArgs, type OperatorCompiler } from './operator.js'
import { constant, dynamic, RuleError, type CompileScope } from './compiled.js'
import { InvalidArgument } from './invalid-argument.js'
import { propertyReader, readPath, splitPath } from './data-path.js'
import type { EvaluationContext } from '../types.js'

/** Reads a path from the data in scope; at the top level `$flagd.*` is injected by flagd. */
function pathReader(path: string, scope: CompileScope): (data: unknown) => unknown {
  const parts = splitPath(path)
  if (!scope.inIterator && parts[0] === '$flagd') {
    if (parts.length === 2 && parts[1] === 'flagKey') return () => scope.flagKey
    if (parts.length === 2 && parts[1] === 'timestamp') return () => scope.nowSeconds()
    const rest = parts.slice(1)
    return () => readPath(flagdProperties(scope), rest)
  }
  const readers = parts.map(propertyReader)
  if (readers.length === 1) return readers[0] as (data: unknown) => unknown
  return (data) => {
    let current = data
    for (const read of readers) {
      current = read(current)
      if (current === undefined) return undefined
    }
    return current
  }
}

function flagdProperties(scope: CompileScope): Record<string, unknown> {
  return { flagKey: scope.flagKey, timestamp: scope.nowSeconds() }
}

/** The whole data object (`{"var": ""}`); at the top level it includes `$flagd`, as in flagd. */
function wholeData(data: unknown, scope: CompileScope): unknown {
  if (scope.inIterator) return data
  return { ...(data as EvaluationContext), $flagd: flagdProperties(scope) }
}

function read(data: unknown, key: unknown, fallback: unknown, scope: CompileScope): unknown {
  if (key === undefined || key === null || key === '') return wholeData(data, scope)
  const value = pathReader(pathText(key), scope)(data)
  return settle(value, fallback)
}

/** A path as JsonLogic reads one: numbers index arrays, anything else (even `{}`) is its text. */
function pathText(key: unknown): string {
  return String(key)
}

/** Missing or null gives the fallback; functions are never data. */
function settle(value: unknown, fallback: unknown): unknown {
  if (value === undefined || value === null) return fallback
  return typeof value === 'function' ? null : value
}

/** `{"var": "a.b"}`, `{"var": ["a.b", fallback]}`, `{"var": <rule>}`. */
export const compileVar: OperatorCompiler = (raw, scope, path) => {
  const form = Array.isArray(raw) ? raw : [raw]
  const [keyArg, fallbackArg] = compileArgs(form.slice(0, 2), scope, path)
  const fallback = fallbackArg ?? constant(null)
  if (keyArg?.isConstant !== false && fallback.isConstant) {
    const key = keyArg?.value
    const fallbackValue = fallback.value
    if (key === undefined || key === null || key === '')
      return dynamic((data) => wholeData(data, scope))
    const reader = pathReader(pathText(key), scope)
    return dynamic((data) => {
      const value = reader(data)
      if (value === undefined || value === null) return fallbackValue
      return typeof value === 'function' ? null : value
    })
  }
  const keyFn = keyArg?.fn
  return dynamic((data, root) => read(data, keyFn?.(data, root), fallback.fn(data, root), scope))
}

function missingKeys(keys: readonly unknown[], data: unknown, scope: CompileScope): unknown[] {
  const missing: unknown[] = []
  for (const key of keys) {
    if (pathReader(String(key), scope)(data) === undefined) missing.push(key)
  }
  return missing
}

/** `{"missing": ["a", "b.c"]}`: the keys that are absent (null counts as present). */
export const compileMissing: OperatorCompiler = (raw, scope, path) => {
  const list = compileArgList(raw, scope, path)
  if ('spread' in list) {
    // `{"missing": {"merge": [...]}}`: the rule's value is the key list.
    const keys = list.spread.fn
    return dynamic((data, root) => {
      const value = keys(data, root)
      return missingKeys(Array.isArray(value) ? value : [value], data, scope)
    })
  }
  const args = list.items
  if (args.every((arg) => arg.isConstant)) {
    const readers = args.map((arg) => [arg.value, pathReader(String(arg.value), scope)] as const)
    return dynamic((data) =>
      readers.filter(([, reader]) => reader(data) === undefined).map(([key]) => key),
    )
  }
  return dynamic((data, root) =>
    missingKeys(
      args.map((arg) => arg.fn(data, root)),
      data,
      scope,
    ),
  )
}

/**
 * `{"missing_some": [n, ["a", "b"]]}`: `[]` when at least n keys are present, else the missing
 * ones. Mirrors flagd's JavaScript engine: a literal key list is taken as written (keys are not
 * evaluated) and compared as `present < n`; a computed key list is walked as `present >= n`
 * (the two differ only for a non-numeric n).
 */
export const compileMissingSome: OperatorCompiler = (raw, scope, path) => {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    throw new RuleError('missing_some takes [minimum, [keys...]]', path)
  }
  const form: readonly unknown[] = Array.isArray(raw) ? raw : [raw]
  const need = scope.compile(form[0], scope, `${path}/0`).fn
  const literalKeys = form[1]
  if (Array.isArray(literalKeys)) {
    const readers = literalKeys.map((key) => [key, pathReader(String(key), scope)] as const)
    return dynamic((data, root) => {
      const missing = readers.filter(([, reader]) => reader(data) === undefined).map(([key]) => key)
      // JavaScript's own `<`, whatever the type of n.
      return readers.length - missing.length < (need(data, root) as number) ? missing : []
    })
  }
  const keys = scope.compile(literalKeys, scope, `${path}/1`).fn
  return dynamic((data, root) => {
    const required = need(data, root)
    const options = keys(data, root)
    if (options === null || options === undefined)
      throw new InvalidArgument('missing_some needs keys')
    const list = typeof options === 'string' ? options.split('') : options
    // A computed list other than an array or a string has no keys to miss.
    const missing = Array.isArray(list) ? missingKeys(list, data, scope) : []
    const length = Array.isArray(list) ? list.length : Number.NaN
    return length - missing.length >= (required as number) ? [] : missing
  })
}
