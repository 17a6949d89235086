import { compileArgs, type OperatorCompiler } from './operator.js'
import { constant, dynamic, fold, type Compiled, type RuleFn } from './compiled.js'
import { InvalidArgument } from './invalid-argument.js'
import { truthy } from './truthy.js'

/** `{"if": [cond, then, cond2, then2, ..., else]}`; only the chosen branch is evaluated. */
export const compileIf: OperatorCompiler = (raw, scope, path) => {
  // flagd-core's engine fails these at evaluation without looking at the argument.
  if (!Array.isArray(raw)) return dynamic(invalidList('if'))
  const args = compileArgs(raw, scope, path)
  if (args.length === 0) return constant(null)
  if (args.length === 1) return args[0] as Compiled
  const branches = args.length % 2 === 1 ? args : [...args, constant(null)]
  // A right-nested chain of two-way branches: no loop, no arrays at evaluation time.
  let fn = (branches.at(-1) as Compiled).fn
  for (let i = branches.length - 3; i >= 0; i -= 2) {
    fn = ifThenElse((branches[i] as Compiled).fn, (branches[i + 1] as Compiled).fn, fn)
  }
  return fold(args, fn)
}

function ifThenElse(condition: RuleFn, then: RuleFn, otherwise: RuleFn): RuleFn {
  return (data, root) => (truthy(condition(data, root)) ? then(data, root) : otherwise(data, root))
}

function invalidList(name: string): RuleFn {
  return () => {
    throw new InvalidArgument(`${name} expects a list of arguments`)
  }
}

/** `{"and": [...]}`: the first falsy value, else the last value. */
export const compileAnd: OperatorCompiler = (raw, scope, path) =>
  shortCircuit(raw, scope, path, false)

/** `{"or": [...]}`: the first truthy value, else the last value. */
export const compileOr: OperatorCompiler = (raw, scope, path) =>
  shortCircuit(raw, scope, path, true)

function shortCircuit(
  raw: unknown,
  scope: Parameters<OperatorCompiler>[1],
  path: string,
  stopOn: boolean,
): Compiled {
  if (!Array.isArray(raw)) return dynamic(invalidList(stopOn ? 'or' : 'and'))
  const args = compileArgs(raw, scope, path)
  if (args.length === 0) return constant(null)
  const fns = args.map((arg) => arg.fn)
  const [first, second] = fns as [RuleFn, RuleFn]
  const fn: RuleFn =
    fns.length === 2
      ? (data, root) => {
          const value = first(data, root)
          return truthy(value) === stopOn ? value : second(data, root)
        }
      : (data, root) => {
          let value: unknown = null
          for (const arg of fns) {
            value = arg(data, root)
            if (truthy(value) === stopOn) return value
          }
          return value
        }
  return fold(args, fn)
}

/** `{"!": x}` or `{"!": [x]}`. */
export const compileNot: OperatorCompiler = (raw, scope, path) => negation(raw, scope, path, true)

/** `{"!!": x}` or `{"!!": [x]}`. */
export const compileDoubleNot: OperatorCompiler = (raw, scope, path) =>
  negation(raw, scope, path, false)

function negation(
  raw: unknown,
  scope: Parameters<OperatorCompiler>[1],
  path: string,
  negate: boolean,
): Compiled {
  // Only the first argument counts; flagd-core's engine does not even compile the others.
  const args = Array.isArray(raw)
    ? compileArgs(raw.slice(0, 1), scope, path)
    : [scope.compile(raw, scope, path)]
  const first = args[0]?.fn
  const fn: RuleFn =
    first === undefined ? () => negate : (data, root) => truthy(first(data, root)) !== negate
  return fold(args, fn)
}
