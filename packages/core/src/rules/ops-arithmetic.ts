import { compileArgList, type ArgList, type OperatorCompiler } from './operator.js'
import { fold, RuleError, type Compiled, type RuleFn } from './compiled.js'
import { InvalidArgument } from './invalid-argument.js'

const notANumber = new InvalidArgument('not a number')

/** A number from an operand; objects, arrays and anything that reads as NaN fail. */
function operand(value: unknown): number {
  if (value !== null && typeof value === 'object') throw notANumber
  const number = Number(value)
  if (Number.isNaN(number)) throw notANumber
  return number
}

function checked(result: number): number {
  if (Number.isNaN(result)) throw notANumber
  return result
}

type Reducer = (values: readonly unknown[]) => number

const reducers: Readonly<Record<string, Reducer>> = {
  '+': (values) => {
    let sum = 0
    for (const value of values) sum += operand(value)
    return checked(sum)
  },
  '*': (values) => {
    let product = 1
    for (const value of values) product *= operand(value)
    return checked(product)
  },
  '-': (values) => {
    if (values.length === 0) throw new InvalidArgument('- needs an argument')
    if (values.length === 1) return checked(-operand(values[0]))
    let result = operand(values[0])
    for (let i = 1; i < values.length; i++) result -= operand(values[i])
    return checked(result)
  },
  '/': (values) => {
    if (values.length === 0) throw new InvalidArgument('/ needs an argument')
    const terms = values.length === 1 ? [1, values[0]] : values
    let result = operand(terms[0])
    for (let i = 1; i < terms.length; i++) {
      const divisor = operand(terms[i])
      if (divisor === 0) throw new InvalidArgument('division by zero')
      result /= divisor
    }
    return checked(result)
  },
  '%': (values) => {
    if (values.length < 2) throw new InvalidArgument('% needs two arguments')
    let result = operand(values[0])
    for (let i = 1; i < values.length; i++) result %= operand(values[i])
    return checked(result)
  },
  max: (values) => extreme(values, (a, b) => b > a),
  min: (values) => extreme(values, (a, b) => b < a),
}

function extreme(
  values: readonly unknown[],
  better: (current: number, candidate: number) => boolean,
): number {
  const first = values[0]
  if (typeof first !== 'number') throw new InvalidArgument('max/min need numbers')
  let best = first
  for (const value of values) {
    if (typeof value !== 'number') throw new InvalidArgument('max/min need numbers')
    if (better(best, value)) best = value
  }
  return best
}

/**
 * The problems flagd's engine reports while compiling arithmetic (so the flag is `PARSE_ERROR`
 * rather than failing at every evaluation): a literal array or non-numeric string operand, a
 * literal zero divisor, or too few literal arguments.
 */
function rejectAtLoad(operator: string, rawArgs: unknown, list: ArgList, path: string): void {
  if (!('items' in list) || operator === 'max' || operator === 'min') return
  // A lone literal is compiled as a one-element list.
  const raw: readonly unknown[] = Array.isArray(rawArgs) ? rawArgs : [rawArgs]
  if ((operator === '-' || operator === '/') && raw.length === 0)
    throw new RuleError(`${operator} needs an argument`, path)
  if (operator === '%' && raw.length < 2) throw new RuleError('% needs two arguments', path)
  list.items.forEach((item, index) => {
    const at = `${path}/${index}`
    if (Array.isArray(raw[index])) throw new RuleError('an array is not a number', at)
    if (isEmptyObject(raw[index])) throw new RuleError('an object is not a number', at)
    if (!item.isConstant) return
    if (typeof item.value === 'string' && Number.isNaN(Number(item.value))) {
      throw new RuleError(`${JSON.stringify(item.value)} is not a number`, at)
    }
    const divisor = operator === '/' && (index > 0 || raw.length === 1)
    if (
      divisor &&
      (typeof item.value === 'number' || typeof item.value === 'string') &&
      Number(item.value) === 0
    ) {
      throw new RuleError('division by zero', at)
    }
  })
}

function isEmptyObject(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  )
}

/** json-logic-engine's `precoerceNumber`: NaN and objects fail, anything else passes as is. */
function precoerce(value: unknown): unknown {
  if (Number.isNaN(value)) throw notANumber
  if (!value) return value
  if (typeof value === 'object') throw notANumber
  return value
}

function atLeast(value: unknown, size: number): readonly unknown[] {
  if (!Array.isArray(value) || value.length < size) throw new InvalidArgument('too few operands')
  return value
}

const num = (value: unknown): number => +(precoerce(value) as number)

/**
 * A single rule as the operand list (`{"+": {"var": "nums"}}`), evaluated as flagd's JavaScript
 * engine compiles that form: `*`, `/` and `%` need a list, and a non-numeric string element gives
 * NaN rather than an error.
 */
const spreadReducers: Readonly<Record<string, (value: unknown) => unknown>> = {
  '+': (value) =>
    Array.isArray(value)
      ? (value as unknown[]).reduce<number>((a, b) => a + num(b), 0)
      : precoerce(+(value as number)),
  '-': (value) => {
    if (!Array.isArray(value)) return -(precoerce(+(value as number)) as number)
    if (value.length === 1) return -(precoerce(value[0]) as number)
    return atLeast(value, 1).reduce((a: unknown, b: unknown) => num(a) - num(b))
  },
  '*': (value) => atLeast(value, 0).reduce((a: unknown, b: unknown) => num(a) * num(b), 1),
  '/': (value) => {
    const items = atLeast(value, 1)
    if (items.length === 1) return 1 / (precoerce(items[0] || Number.NaN) as number)
    return items.reduce((a: unknown, b: unknown) => num(a) / num(b || Number.NaN))
  },
  '%': (value) => atLeast(value, 2).reduce((a: unknown, b: unknown) => num(a) % num(b)),
}

/** `+ - * / % max min` over a list of operands. */
export function arithmetic(operator: string): OperatorCompiler {
  const reduce = reducers[operator] as Reducer
  return (raw, scope, path) => {
    const list = compileArgList(raw, scope, path)
    rejectAtLoad(operator, raw, list, path)
    if ('spread' in list) {
      const { fn: spread } = list.spread
      const spreadReduce = spreadReducers[operator]
      return fold(
        [list.spread],
        spreadReduce === undefined
          ? (data, root) => {
              const value = spread(data, root)
              return reduce(Array.isArray(value) ? value : [value])
            }
          : (data, root) => spreadReduce(spread(data, root)),
      )
    }
    const fns = list.items.map((item: Compiled) => item.fn)
    const fn: RuleFn =
      fns.length === 2
        ? binary(reduce, fns[0] as RuleFn, fns[1] as RuleFn)
        : (data, root) => reduce(fns.map((item) => item(data, root)))
    return fold(list.items, fn)
  }
}

function binary(reduce: Reducer, left: RuleFn, right: RuleFn): RuleFn {
  return (data, root) => reduce([left(data, root), right(data, root)])
}
