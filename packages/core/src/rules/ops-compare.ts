import { compileArgs, type OperatorCompiler } from './operator.js'
import { dynamic, fold, type Compiled, type RuleFn } from './compiled.js'
import { plainAttribute } from './data-path.js'
import { fusedComparison } from './fused-comparison.js'
import { InvalidArgument } from './invalid-argument.js'

type Comparator = (a: unknown, b: unknown) => boolean

const comparators: Readonly<Record<string, Comparator>> = {
  '==': (a, b) => a == b,
  '!=': (a, b) => a != b,
  '===': (a, b) => a === b,
  '!==': (a, b) => a !== b,
  '<': (a, b) => (a as number) < (b as number),
  '<=': (a, b) => (a as number) <= (b as number),
  '>': (a, b) => (a as number) > (b as number),
  '>=': (a, b) => (a as number) >= (b as number),
}

/**
 * Makes the right operand comparable with the left one, exactly as flagd's JavaScript engine
 * does: two strings (or nulls) compare as they are; anything else must read as a number, an
 * object or array never compares, and `null` sits at zero.
 */
export function comparable(item: unknown, prev: unknown, strict: boolean): unknown {
  if (strict) return item
  if ((typeof item === 'string' || item === null) && (typeof prev === 'string' || prev === null))
    return item
  if (neverNumeric(item) || (Number.isNaN(Number(item)) && prev !== null)) throw notComparable
  if (neverNumeric(prev) || Number.isNaN(Number(prev))) throw notComparable
  if (prev === null && !item) return null
  if (item === null && !prev) return 0
  return item
}

const notComparable = new InvalidArgument('not comparable')

/** Objects, arrays and NaN never compare numerically, whatever the other operand is. */
function neverNumeric(value: unknown): boolean {
  return (value !== null && typeof value === 'object') || Number.isNaN(value)
}

/** `{"<": [a, b]}`, `{"<": [a, b, c]}` (between), and the equality operators. */
export function comparison(operator: string): OperatorCompiler {
  const compare = comparators[operator] as Comparator
  const strict = operator.length === 3
  return (raw, scope, path) => {
    // flagd-core's engine fails these at evaluation without looking at the arguments.
    if (!Array.isArray(raw) || raw.length < 2) {
      return dynamic(() => {
        throw new InvalidArgument(`${operator} needs at least two arguments`)
      })
    }
    const args = compileArgs(raw, scope, path)
    const fused = fuse(operator, raw, args, scope.inIterator, strict, compare)
    if (fused !== undefined) return fold(args, fused)
    const fns = args.map((arg) => arg.fn)
    const [left, right] = fns as [RuleFn, RuleFn]
    const fn: RuleFn =
      fns.length === 2
        ? (data, root) => {
            const a = left(data, root)
            const b = right(data, root)
            // Two strings (the usual attribute-vs-literal case) need no coercion checks.
            if (typeof a === 'string' && typeof b === 'string') return compare(a, b)
            return compare(a, comparable(b, a, strict))
          }
        : (data, root) => {
            let prev = left(data, root)
            for (let i = 1; i < fns.length; i++) {
              const next = comparable((fns[i] as RuleFn)(data, root), prev, strict)
              if (!compare(prev, next)) return false
              prev = next
            }
            return true
          }
    return fold(args, fn)
  }
}

/** The fast form of `{"op": [{"var": name}, literal]}`, when the rule has that shape. */
function fuse(
  operator: string,
  raw: readonly unknown[],
  args: readonly Compiled[],
  inIterator: boolean,
  strict: boolean,
  compare: Comparator,
): RuleFn | undefined {
  const name = raw.length === 2 ? plainAttribute(raw[0], inIterator) : undefined
  const literal = args[1]
  if (name === undefined || literal?.isConstant !== true) return undefined
  const value = literal.value
  if (
    typeof value !== 'string' &&
    typeof value !== 'boolean' &&
    (typeof value !== 'number' || Number.isNaN(value))
  ) {
    return undefined
  }
  return fusedComparison(operator, name, value, (attribute) =>
    compare(attribute, comparable(value, attribute, strict)),
  )
}
