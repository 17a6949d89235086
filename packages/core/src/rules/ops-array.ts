import { type OperatorCompiler } from './operator.js'
import { fold, RuleError, type CompileScope, type Compiled, type RuleFn } from './compiled.js'
import { InvalidArgument } from './invalid-argument.js'
import { listOperator } from './ops-string.js'
import { truthy } from './truthy.js'

/** `{"merge": [a, [b, c]]}`: flattens one level. */
export const compileMerge: OperatorCompiler = (raw, scope, path) =>
  listOperator(raw, scope, path, (args) =>
    args.flatMap((arg): unknown[] => (Array.isArray(arg) ? (arg as unknown[]) : [arg])),
  )

/** The array an iterator walks: a missing value is empty; anything else that is not a list fails. */
function elements(value: unknown): readonly unknown[] {
  if (!value) return []
  if (Array.isArray(value)) return value
  throw new InvalidArgument('expects an array')
}

function iteratorParts(
  raw: unknown,
  scope: CompileScope,
  path: string,
  name: string,
): [Compiled, Compiled] {
  // flagd's JavaScript engine cannot compile an iterator without a body either.
  if (!Array.isArray(raw) || raw.length < 2) {
    throw new RuleError(`${name} takes [array, rule]`, path)
  }
  const selector = scope.compile(raw[0], scope, `${path}/0`)
  const mapper = scope.compile(
    raw[1],
    { ...scope, inIterator: true, depth: scope.depth + 1 },
    `${path}/1`,
  )
  return [selector, mapper]
}

type Walk = (
  items: readonly unknown[],
  each: (item: unknown) => unknown,
  selected: unknown,
) => unknown

const walks: Readonly<Record<string, Walk>> = {
  map: (items, each) => items.map(each),
  filter: (items, each) => items.filter((item) => truthy(each(item))),
  some: (items, each) => items.some((item) => truthy(each(item))),
  none: (items, each) => !items.some((item) => truthy(each(item))),
  all: (items, each, selected) =>
    Array.isArray(selected) && selected.length === 0
      ? false
      : items.every((item) => truthy(each(item))),
}

/** `map`, `filter`, `all`, `some`, `none`: `var` inside the rule reads the current element. */
export function iterator(name: string): OperatorCompiler {
  const walk = walks[name] as Walk
  return (raw, scope, path) => {
    const [selector, mapper] = iteratorParts(raw, scope, path, name)
    const select = selector.fn
    const map = mapper.fn
    const fn: RuleFn = (data, root) => {
      const selected = select(data, root)
      return walk(elements(selected), (item) => map(item, root), selected)
    }
    return fold([selector, mapper], fn)
  }
}

/** `{"reduce": [array, rule, initial]}`: `var` reads `current` and `accumulator`. */
export const compileReduce: OperatorCompiler = (raw, scope, path) => {
  const [selector, mapper] = iteratorParts(raw, scope, path, 'reduce')
  const initial =
    (raw as unknown[]).length > 2
      ? scope.compile((raw as unknown[])[2], scope, `${path}/2`)
      : undefined
  const select = selector.fn
  const step = mapper.fn
  const fn: RuleFn = (data, root) => {
    const items = elements(select(data, root))
    const reducer = (accumulator: unknown, current: unknown): unknown =>
      flat(step({ accumulator, current }, root))
    if (initial === undefined) {
      if (items.length === 0)
        throw new InvalidArgument('reduce of an empty array with no initial value')
      return items.reduce(reducer)
    }
    return items.reduce(reducer, flat(initial.fn(data, root)))
  }
  return fold(initial === undefined ? [selector, mapper] : [selector, mapper, initial], fn)
}

/** flagd's engine refuses nested structures as a reduce accumulator. */
function flat(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value
  const parts = Array.isArray(value) ? value : Object.values(value)
  for (const part of parts) {
    if (part !== null && typeof part === 'object')
      throw new InvalidArgument('reduce accumulator is nested')
  }
  return value
}
