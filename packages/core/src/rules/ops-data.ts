import { compileArgList, type OperatorCompiler } from './operator.js'
import { constant, dynamic, RuleError, type CompileScope } from './compiled.js'
import { InvalidArgument } from './invalid-argument.js'
import { propertyReader, readPath, readProperty, splitPath, textOf } from './data-path.js'
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

/**
 * `{"var": "a.b"}`, `{"var": ["a.b", fallback]}`, `{"var": <rule>}`, as flagd's JavaScript engine
 * compiles them. A literal path (string or number) reads the data and falls back, lazily, on a
 * missing or null value; an empty path is the whole data (the fallback is ignored). Any other
 * argument is evaluated and its value read as `[path, fallback]` or as a path (see
 * {@link readComputed}).
 */
export const compileVar: OperatorCompiler = (raw, scope, path) => {
  const form: readonly unknown[] = Array.isArray(raw) ? raw : [raw]
  const [key] = form
  if (form.length <= 2 && (key === undefined || key === null || key === '')) {
    return dynamic((data) => wholeData(data, scope))
  }
  if (form.length <= 2 && (typeof key === 'string' || typeof key === 'number')) {
    const reader = pathReader(String(key), scope)
    const fallback = form.length === 2 ? scope.compile(form[1], scope, `${path}/1`) : constant(null)
    if (fallback.isConstant) {
      const fallbackValue = fallback.value
      return dynamic((data) => {
        const value = reader(data)
        if (value === undefined || value === null) return fallbackValue
        return typeof value === 'function' ? null : value
      })
    }
    const fallbackFn = fallback.fn
    return dynamic((data, root) => {
      const value = reader(data)
      if (value === undefined || value === null) return fallbackFn(data, root)
      return typeof value === 'function' ? null : value
    })
  }
  // A single non-list argument is passed on as its value, anything else as the evaluated list.
  const single = !Array.isArray(raw) || (raw.length === 1 && !Array.isArray(raw[0]))
  const argument = single
    ? scope.compile(form[0], scope, Array.isArray(raw) ? `${path}/0` : path)
    : scope.compile(raw, scope, path)
  const argumentFn = argument.fn
  return dynamic((data, root) => readComputed(data, argumentFn(data, root), scope))
}

/**
 * A computed `var` argument: `[path, fallback]` or a path. The fallback is used when a step is
 * missing; a `null` value is returned as `null` (json-logic-engine's generic `var`).
 */
function readComputed(data: unknown, argument: unknown, scope: CompileScope): unknown {
  let key = argument
  let fallback: unknown = null
  if (Array.isArray(argument)) {
    key = argument[0]
    fallback = argument[1] === undefined ? null : argument[1]
  }
  if (key === undefined || key === null || key === '') return wholeData(data, scope)
  const parts = splitPath(textOf(key))
  let current: unknown =
    !scope.inIterator && parts[0] === '$flagd' ? { $flagd: flagdProperties(scope) } : data
  for (const part of parts) {
    if (current === null || current === undefined) return fallback
    current = readProperty(current, part)
    if (current === undefined) return fallback
  }
  return typeof current === 'function' ? null : current
}

/**
 * Whether a key is missing, walked as flagd-core's engine walks `missing` keys: a falsy value
 * part-way (`0`, `""`, `false`) makes the rest missing, and `null` at the end counts as present.
 * One or two keys written as plain strings without a dot are read as direct properties, so there
 * `""` names a property rather than the whole data.
 */
function missingTest(
  key: unknown,
  direct: boolean,
  scope: CompileScope,
): (data: unknown) => boolean {
  const parts = direct ? [String(key)] : splitPath(String(key))
  const flagd = !scope.inIterator && parts[0] === '$flagd'
  return (data) => {
    let current: unknown = flagd ? { $flagd: flagdProperties(scope) } : data
    for (const part of parts) {
      if (!current) return true
      current = readProperty(current, part)
      if (current === undefined) return true
    }
    return false
  }
}

function missingKeys(keys: readonly unknown[], data: unknown, scope: CompileScope): unknown[] {
  return keys.filter((key) => missingTest(key, false, scope)(data))
}

/** Tests for literal keys (see {@link missingTest}; `written` are the keys as in the rule). */
function keyTests(
  keys: readonly unknown[],
  written: readonly unknown[],
  scope: CompileScope,
): (readonly [unknown, (data: unknown) => boolean])[] {
  const direct =
    written.length <= 2 && written.every((key) => typeof key === 'string' && !key.includes('.'))
  return keys.map((key) => [key, missingTest(key, direct, scope)] as const)
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
  // flagd-core's engine folds `{"missing": []}` (and only that form).
  if (args.length === 0) return constant([])
  if (args.every((arg) => arg.isConstant)) {
    const written: readonly unknown[] = Array.isArray(raw) ? raw : [raw]
    const tests = keyTests(
      args.map((arg) => arg.value),
      written,
      scope,
    )
    return dynamic((data) => tests.filter(([, isMissing]) => isMissing(data)).map(([key]) => key))
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
    const tests = keyTests(literalKeys, literalKeys, scope)
    return dynamic((data, root) => {
      const missing = tests.filter(([, isMissing]) => isMissing(data)).map(([key]) => key)
      // JavaScript's own `<`, whatever the type of n.
      return tests.length - missing.length < (need(data, root) as number) ? missing : []
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
