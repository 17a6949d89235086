import { compileArgList, type OperatorCompiler } from './operator.js'
import { constant, dynamic, fold, opaque, type RuleFn } from './compiled.js'
import { fusedMembership } from './fused-comparison.js'
import { InvalidArgument } from './invalid-argument.js'
import { plainAttribute, textOf } from './data-path.js'

/**
 * `{"cat": [...]}`. At run time values are joined as JavaScript's `+` joins them (a missing
 * attribute reads `"null"`, as in flagd's JavaScript evaluator). A constant `cat` is folded the way
 * that evaluator's interpreter folds it: nulls are skipped and a lone non-list item is passed on
 * by itself (so `{"cat": [null]}` fails).
 */
export const compileCat: OperatorCompiler = (raw, scope, path) => {
  if (typeof raw === 'string') return constant(raw)
  if (typeof raw === 'number') return constant(String(raw))
  const list = compileArgList(raw, scope, path)
  if ('spread' in list) {
    const { fn: spread } = list.spread
    return fold([list.spread], (data, root) => joinSkippingNulls(spread(data, root)))
  }
  const fns = list.items.map((item) => item.fn)
  if (scope.folding || list.items.every((item) => item.isConstant)) {
    const [only] = fns
    const fn: RuleFn =
      only !== undefined && fns.length === 1 && !Array.isArray(Array.isArray(raw) ? raw[0] : raw)
        ? (data, root) => joinSkippingNulls(only(data, root))
        : (data, root) => joinSkippingNulls(fns.map((item) => item(data, root)))
    return fold(list.items, fn)
  }
  return fold(list.items, (data, root) => {
    let text = ''
    for (const fn of fns) text += fn(data, root) as string
    return text
  })
}

function joinSkippingNulls(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === null || value === undefined) throw new InvalidArgument('cat of nothing')
  if (!Array.isArray(value)) return textOf(value)
  let text = ''
  for (const part of value) if (part !== null && part !== undefined) text += part as string
  return text
}

/** `{"substr": [text, start, length?]}` with JavaScript's `substr` semantics. */
export const compileSubstr: OperatorCompiler = (raw, scope, path) =>
  listOperator(raw, scope, path, ([text, from, length]) => {
    if (typeof text !== 'string') throw new InvalidArgument('substr needs a string')
    if ((length as number) < 0) {
      const rest = text.substr(from as number)
      return rest.substr(0, rest.length + (length as number))
    }
    return text.substr(from as number, length as number)
  })

/** `{"in": [needle, haystack]}`: array membership or substring; further arguments are ignored. */
export const compileIn: OperatorCompiler = (raw, scope, path) => {
  if (Array.isArray(raw) && raw.length > 2) return compileIn(raw.slice(0, 2), scope, path)
  const literal =
    Array.isArray(raw) && raw.length === 2 ? scope.compile(raw[1], scope, `${path}/1`) : undefined
  if (literal?.isConstant === true && Array.isArray(literal.value)) {
    // A literal list: a Set has the same (SameValueZero) membership as Array#includes.
    const members = new Set<unknown>(literal.value)
    const name = plainAttribute((raw as unknown[])[0], scope.inIterator)
    if (name !== undefined) return dynamic(fusedMembership(name, members))
    const needle = scope.compile((raw as unknown[])[0], scope, `${path}/0`)
    const fn = needle.fn
    return fold([needle], (data, root) => members.has(fn(data, root)))
  }
  return compileInList(raw, scope, path)
}

const compileInList: OperatorCompiler = (raw, scope, path) =>
  listOperator(raw, scope, path, ([needle, haystack]) => {
    const container = haystack || []
    if (typeof container === 'string') return container.includes(String(needle))
    if (Array.isArray(container)) return container.includes(needle)
    throw new InvalidArgument('in needs an array or a string')
  })

/** flagd's `starts_with` / `ends_with`: two strings, else `null`. */
export function stringComparison(which: 'starts_with' | 'ends_with'): OperatorCompiler {
  return (raw, scope, path) =>
    opaque(
      listOperator(raw, scope, path, (args) => {
        if (args.length !== 2) return null
        const [text, affix] = args
        if (typeof text !== 'string' || typeof affix !== 'string') return null
        return which === 'starts_with' ? text.startsWith(affix) : text.endsWith(affix)
      }),
    )
}

/** Evaluates the argument list, then applies `apply` to the values. */
export function listOperator(
  raw: unknown,
  scope: Parameters<OperatorCompiler>[1],
  path: string,
  apply: (args: readonly unknown[]) => unknown,
): ReturnType<OperatorCompiler> {
  const list = compileArgList(raw, scope, path)
  if ('spread' in list) {
    const { fn: spread } = list.spread
    return fold([list.spread], (data, root) => {
      const value = spread(data, root)
      return apply(Array.isArray(value) ? value : [value])
    })
  }
  const fns = list.items.map((item) => item.fn)
  const fn: RuleFn = (data, root) => apply(fns.map((item) => item(data, root)))
  return fold(list.items, fn)
}
