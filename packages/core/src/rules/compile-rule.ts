import {
  constant,
  describeThrown,
  dynamic,
  EMPTY_CONTEXT,
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
  return compileSubRule(rule, options, 0, options.path).fn
}

/**
 * Compiles the sub-rule found `depth` levels down a flag's targeting, outside any iterator and
 * any folded rule, exactly as {@link compileTargeting} compiles it there. The code generator
 * asks this for what is constant and for the closures of parts it does not generate; `record`
 * receives every rule object compiled on the way in that same situation (not in an iterator
 * body, not in a folded rule), so one pass answers for all of them.
 */
export function compileSubRule(
  rule: unknown,
  options: CompileOptions,
  depth: number,
  path: string,
  record?: (rule: object, compiled: Compiled) => void,
): Compiled {
  const compile: CompileScope['compile'] =
    record === undefined
      ? compileNode
      : (node, scope, at) => {
          const compiled = compileNode(node, scope, at)
          if (node !== null && typeof node === 'object' && !scope.inIterator && !scope.folding)
            record(node, compiled)
          return compiled
        }
  const scope: CompileScope = {
    flagKey: options.flagKey,
    nowSeconds: options.nowSeconds,
    inIterator: false,
    depth,
    folding: false,
    compile,
  }
  return compile(rule, scope, path)
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
  const args = (rule as Record<string, unknown>)[name]
  const at = `${path}/${escapePointer(name)}`
  if (scope.folding || !isConstantRule(rule, false, 0, path)) return compile(args, inner, at)
  // A rule that reads no context is evaluated now, as a whole, as flagd-core's engine does: a
  // failure makes the flag PARSE_ERROR, but only where evaluation reaches (not a dead branch).
  const node = compile(args, { ...inner, folding: true }, at)
  if (node.isConstant) return node
  try {
    return constant(node.fn(undefined, EMPTY_CONTEXT))
  } catch (error) {
    throw new RuleError(`always fails: ${describeThrown(error)}`, path)
  }
}

const flagdOperators: ReadonlySet<string> = new Set([
  'fractional',
  'sem_ver',
  'starts_with',
  'ends_with',
])
const iterators: ReadonlySet<string> = new Set(['map', 'filter', 'all', 'some', 'none', 'reduce'])

/**
 * Whether flagd-core's engine (json-logic-engine's `isDeterministic`) evaluates a rule at build
 * time: it reads no context (`var` counts only inside an iterator body) and uses neither flagd's
 * own operators nor `missing` (other than `[]`) or `missing_some`. Like that engine, the walk
 * stops at the first argument that is not constant, and an unknown operator met before that
 * point fails the build (a {@link RuleError}). Unlike it, a reduce's initial value must be
 * constant too (that engine would evaluate it against an empty context).
 */
function isConstantRule(rule: unknown, inBody: boolean, depth: number, path: string): boolean {
  if (depth > MAX_RULE_DEPTH) return false
  if (Array.isArray(rule)) {
    return rule.every((item) => isConstantRule(item, inBody, depth + 1, path))
  }
  if (rule === null || typeof rule !== 'object') return true
  const keys = Object.keys(rule)
  if (keys.length === 0) return true
  const [name] = keys as [string]
  if (!operators.has(name)) {
    const what = name === '$ref' ? 'unresolved $ref' : `unknown operator ${JSON.stringify(name)}`
    throw new RuleError(what, path)
  }
  if (flagdOperators.has(name)) return false
  const args = (rule as Record<string, unknown>)[name]
  if (name === 'var') return inBody
  if (name === 'missing') return Array.isArray(args) && args.length === 0
  if (name === 'missing_some') return false
  if (iterators.has(name)) {
    const parts = args as Readonly<Record<number, unknown>> | null | undefined
    return (
      isConstantRule(parts?.[0], inBody, depth + 1, path) &&
      isConstantRule(parts?.[1], true, depth + 1, path) &&
      (name !== 'reduce' || isConstantRule(parts?.[2], inBody, depth + 1, path))
    )
  }
  return isConstantRule(args, inBody, depth + 1, path)
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
