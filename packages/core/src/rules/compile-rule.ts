import {
  constant,
  dynamic,
  RuleError,
  type CompileScope,
  type Compiled,
  type RuleFn,
} from './compiled.js'
import type { OperatorCompiler } from './operator.js'
import { arithmetic } from './ops-arithmetic.js'
import { compileMerge, compileReduce, iterator } from './ops-array.js'
import { comparison } from './ops-compare.js'
import { compileMissing, compileMissingSome, compileVar } from './ops-data.js'
import { compileAnd, compileDoubleNot, compileIf, compileNot, compileOr } from './ops-logic.js'
import { compileCat, compileIn, compileSubstr, stringComparison } from './ops-string.js'
import { compileFractional } from './fractional.js'
import { compileSemVer } from './sem-ver.js'

/**
 * Every operator flagd's schema allows, and no others: rules using extensions of one JsonLogic
 * library would not evaluate in flagd itself.
 */
const operators: ReadonlyMap<string, OperatorCompiler> = new Map<string, OperatorCompiler>([
  ['var', compileVar],
  ['missing', compileMissing],
  ['missing_some', compileMissingSome],
  ['if', compileIf],
  ['and', compileAnd],
  ['or', compileOr],
  ['!', compileNot],
  ['!!', compileDoubleNot],
  ...['==', '===', '!=', '!==', '<', '<=', '>', '>='].map((op) => [op, comparison(op)] as const),
  ...['+', '-', '*', '/', '%', 'max', 'min'].map((op) => [op, arithmetic(op)] as const),
  ['cat', compileCat],
  ['substr', compileSubstr],
  ['in', compileIn],
  ['merge', compileMerge],
  ...(['map', 'filter', 'all', 'some', 'none'] as const).map((op) => [op, iterator(op)] as const),
  ['reduce', compileReduce],
  ['starts_with', stringComparison('starts_with')],
  ['ends_with', stringComparison('ends_with')],
  ['sem_ver', compileSemVer],
  ['fractional', compileFractional],
])

/** Rules nested deeper than this are refused (keeps compilation and evaluation off the stack limit). */
export const MAX_RULE_DEPTH = 64

/** Options for {@link compileTargeting}. */
export interface CompileOptions {
  readonly flagKey: string
  readonly nowSeconds: () => number
  /** JSON pointer of the rule, for error messages. */
  readonly path: string
}

/**
 * Compiles a JsonLogic rule once into closures. Throws {@link RuleError} (with the JSON path)
 * for unknown operators and rules that can never evaluate.
 */
export function compileTargeting(rule: unknown, options: CompileOptions): RuleFn {
  const scope: CompileScope = {
    flagKey: options.flagKey,
    nowSeconds: options.nowSeconds,
    inIterator: false,
    depth: 0,
    compile: compileNode,
  }
  return compileNode(rule, scope, options.path).fn
}

function compileNode(rule: unknown, scope: CompileScope, path: string): Compiled {
  if (scope.depth > MAX_RULE_DEPTH)
    throw new RuleError(`rule nested deeper than ${MAX_RULE_DEPTH} levels`, path)
  const inner: CompileScope = { ...scope, depth: scope.depth + 1 }
  if (Array.isArray(rule)) return compileList(rule, inner, path)
  if (rule === null || typeof rule !== 'object') return constant(rule)
  const keys = Object.keys(rule)
  if (keys.length === 0) return constant(rule)
  const [name] = keys as [string]
  if (keys.length > 1)
    throw new RuleError(
      `a rule has exactly one operator, found ${keys.map((k) => JSON.stringify(k)).join(', ')}`,
      path,
    )
  const compile = operators.get(name)
  if (compile === undefined) {
    const hint = name === '$ref' ? 'unresolved $ref' : `unknown operator ${JSON.stringify(name)}`
    throw new RuleError(hint, path)
  }
  return compile((rule as Record<string, unknown>)[name], inner, `${path}/${escapePointer(name)}`)
}

/** A literal list whose elements may be rules. */
function compileList(list: readonly unknown[], scope: CompileScope, path: string): Compiled {
  const items = list.map((item, index) => compileNode(item, scope, `${path}/${index}`))
  if (items.every((item) => item.isConstant)) return constant(items.map((item) => item.value))
  const fns = items.map((item) => item.fn)
  return dynamic((data, root) => fns.map((fn) => fn(data, root)))
}

/** RFC 6901 escaping for one JSON-pointer segment. */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}
