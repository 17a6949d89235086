import type { Compiled } from '../compiled.js'
import { compileSubRule, escapePointer, type CompileOptions } from '../compile-rule.js'
import { plainAttribute } from '../data-path.js'
import {
  conditionCode,
  constantExpr,
  Emitter,
  joinKinds,
  literalCode,
  truthyCode,
  type Expr,
} from './emitter.js'
import { emitFractional, emitSemVer, emitStringComparison } from './flagd-ops.js'
import type { FlagValue, ResolvedValue } from '../../types.js'
import type { Decision } from './code-generator.js'
import type { RuntimeHelpers } from './runtime.js'

/** The results a generated resolver returns for literal outcomes (compile-flag.ts). */
export interface Outcomes {
  readonly variants: ReadonlyMap<string, { readonly asMatch: ResolvedValue<FlagValue> }>
  readonly defaultVariant: { readonly asDefault: ResolvedValue<FlagValue> } | undefined
}

/**
 * Walks a rule the closure compiler has already compiled and writes it as one JavaScript
 * expression. Whatever that compiler folds stays folded (its value is emitted); operators of the
 * hot subset are written inline; anything else, or any form not recognised here, is that
 * compiler's own closure, called from the generated code. So the generated function is the
 * closure tree with the hot nodes' calls removed, not a second implementation of the rules.
 */
export class Walker {
  readonly emitter = new Emitter()
  private readonly compiledNodes = new Map<object, Compiled>()

  /** Compiles `rule` (the targeting) once, keeping what each of its nodes compiled to. */
  constructor(
    rule: unknown,
    readonly options: CompileOptions,
    private readonly outcomes: Outcomes,
  ) {
    compileSubRule(rule, options, 0, options.path, (node, compiled) => {
      if (!this.compiledNodes.has(node)) this.compiledNodes.set(node, compiled)
    })
  }

  /** The rule at `depth` (0 = the targeting itself) as an expression. */
  expr(rule: unknown, depth: number, path: string, deciding = false): Expr {
    if (rule === null || typeof rule !== 'object') return constantExpr(this.emitter, rule)
    const compiled = this.compiled(rule, depth, path)
    if (compiled.isConstant) return constantExpr(this.emitter, compiled.value)
    if (!Array.isArray(rule)) {
      const [name] = Object.keys(rule) as [string]
      const emit = operators.get(name)
      const args: unknown = (rule as Record<string, unknown>)[name]
      const emitted = emit?.(args, this, depth + 1, `${path}/${escapePointer(name)}`, deciding)
      if (emitted !== undefined) return emitted
    }
    return { code: `${this.emitter.value(compiled.fn)}(data, root)`, kind: 'any', closure: true }
  }

  /**
   * The rule at an outcome position as a {@link Decision}: a literal naming a variant is that
   * variant's shared `TARGETING_MATCH` result (`null`: the default variant's `DEFAULT` result),
   * anything else is the value for the engine to resolve (evaluate-flag.ts `ruleOutcome`).
   * `if` and `fractional` decide in their branches.
   */
  decision(rule: unknown, depth: number, path: string): Expr {
    return this.decide(this.expr(rule, depth, path, true))
  }

  /** An outcome's expression as a decision. */
  decide(expr: Expr): Expr {
    if (expr.decided === true) return expr
    const decided = { kind: 'any', decided: true } as const
    if (expr.constant !== undefined) {
      return { ...decided, code: this.emitter.value(this.decisionOf(expr.constant.value)) }
    }
    if (expr.kind === 'boolean') {
      const [yes, no] = [true, false].map((value) => this.emitter.value(this.decisionOf(value)))
      return { ...decided, code: `(${expr.code} ? ${yes as string} : ${no as string})` }
    }
    return { ...decided, code: `${this.emitter.helper('undecided')}(${expr.code})` }
  }

  private decisionOf(value: unknown): Decision {
    if (value === null || value === undefined)
      return this.outcomes.defaultVariant?.asDefault ?? { value }
    const name =
      typeof value === 'string'
        ? value
        : typeof value === 'boolean' || typeof value === 'number'
          ? String(value)
          : undefined
    return (name === undefined ? undefined : this.outcomes.variants.get(name)?.asMatch) ?? { value }
  }

  /** What the closure compiler made (or makes) of the rule at that place. */
  compiled(rule: unknown, depth: number, path: string): Compiled {
    const known =
      rule !== null && typeof rule === 'object' ? this.compiledNodes.get(rule) : undefined
    return known ?? compileSubRule(rule, this.options, depth, path)
  }
}

/**
 * Writes one operator node (`args` as written; `depth` and `path` are its arguments'), or
 * returns `undefined` for a form it does not handle (the node then stays a closure). When
 * `deciding`, the node is at an outcome position and may return a decided expression.
 */
export type OperatorEmitter = (
  args: unknown,
  walker: Walker,
  depth: number,
  path: string,
  deciding: boolean,
) => Expr | undefined

const booleanExpr = (code: string): Expr => ({ code, kind: 'boolean' })

/** The items of a list argument, each at its own path. */
function items(args: readonly unknown[], walker: Walker, depth: number, path: string): Expr[] {
  return args.map((arg, index) => walker.expr(arg, depth, `${path}/${index}`))
}

/** `{"if": [c1, v1, c2, v2, ..., else]}`: a chain of conditionals (ops-logic.ts). */
const emitIf: OperatorEmitter = (args, walker, depth, path, deciding) => {
  if (!Array.isArray(args) || args.length === 0) return undefined
  const branch = (i: number): Expr =>
    deciding
      ? walker.decision(args[i], depth, `${path}/${i}`)
      : walker.expr(args[i], depth, `${path}/${i}`)
  const odd = args.length % 2 === 1
  const otherwise = odd ? branch(args.length - 1) : constantExpr(walker.emitter, null)
  let result = deciding ? walker.decide(otherwise) : otherwise
  const outcomes: Expr[] = [result]
  for (let i = args.length - (odd ? 3 : 2); i >= 0; i -= 2) {
    const condition = conditionCode(walker.emitter, walker.expr(args[i], depth, `${path}/${i}`))
    const then = branch(i + 1)
    outcomes.push(then)
    result = { code: `(${condition} ? ${then.code} : ${result.code})`, kind: 'any' }
  }
  return deciding
    ? { code: result.code, kind: 'any', decided: true }
    : { code: result.code, kind: joinKinds(outcomes) }
}

/** `and` / `or`: the first falsy (truthy) value, else the last (ops-logic.ts). */
function shortCircuit(isOr: boolean): OperatorEmitter {
  return (args, walker, depth, path) => {
    if (!Array.isArray(args) || args.length === 0) return undefined
    const parts = items(args, walker, depth, path)
    let code = (parts.at(-1) as Expr).code
    for (let i = parts.length - 2; i >= 0; i--) {
      const part = parts[i] as Expr
      if (part.kind !== 'any') {
        // JavaScript's && and || are JsonLogic's for anything but objects.
        code = `(${part.code} ${isOr ? '||' : '&&'} ${code})`
        continue
      }
      const t = walker.emitter.temp()
      const test = truthyCode(walker.emitter, { code: `(${t} = ${part.code})`, kind: 'any' })
      code = isOr ? `(${test} ? ${t} : ${code})` : `(${test} ? ${code} : ${t})`
    }
    return { code, kind: joinKinds(parts) }
  }
}

/** `!` / `!!`: only the first argument counts (ops-logic.ts). */
function negation(negate: boolean): OperatorEmitter {
  return (args, walker, depth, path) => {
    if (Array.isArray(args) && args.length === 0) return undefined
    const operand = Array.isArray(args)
      ? walker.expr(args[0], depth, `${path}/0`)
      : walker.expr(args, depth, path)
    const truthy = truthyCode(walker.emitter, operand)
    return booleanExpr(negate ? `(!${truthy})` : truthy)
  }
}

/** A literal a fast path can compare by type: its `typeof`, or `undefined`. */
function typedLiteral(expr: Expr): 'string' | 'number' | 'boolean' | undefined {
  if (expr.constant === undefined) return undefined
  const { value } = expr.constant
  if (typeof value === 'string') return 'string'
  if (typeof value === 'boolean') return 'boolean'
  return typeof value === 'number' && !Number.isNaN(value) ? 'number' : undefined
}

const looseComparisons: Readonly<Record<string, readonly [keyof RuntimeHelpers, string]>> = {
  '==': ['eq', '==='],
  '!=': ['ne', '!=='],
  '<': ['lt', '<'],
  '<=': ['le', '<='],
  '>': ['gt', '>'],
  '>=': ['ge', '>='],
}

/**
 * Two-argument comparisons (ops-compare.ts). Strict ones never coerce. A loose one against a
 * literal compares directly when the other operand has the literal's type (and is not NaN),
 * where JsonLogic's coercion leaves both unchanged; anything else takes the general path.
 */
function comparison(operator: string): OperatorEmitter {
  return (args, walker, depth, path) => {
    if (!Array.isArray(args) || args.length !== 2) return undefined
    const [left, right] = items(args, walker, depth, path) as [Expr, Expr]
    if (operator === '===' || operator === '!==') {
      return booleanExpr(`(${left.code} ${operator} ${right.code})`)
    }
    const { emitter } = walker
    const [name, js] = looseComparisons[operator] as readonly [keyof RuntimeHelpers, string]
    const slow = emitter.helper(name)
    const rightType = typedLiteral(right)
    const leftType = rightType === undefined ? typedLiteral(left) : undefined
    const type = rightType ?? leftType
    if (type === undefined) {
      const a = emitter.temp()
      const b = emitter.temp()
      return booleanExpr(
        `((${a} = ${left.code}), (${b} = ${right.code}), typeof ${a} === "string" && typeof ${b} === "string" ? ${a} ${js} ${b} : ${slow}(${a}, ${b}))`,
      )
    }
    const other = rightType !== undefined ? left : right
    const t = emitter.temp()
    const read = other.raw ?? other.code
    const settled = other.raw === undefined ? t : `${emitter.helper('settle')}(${t})`
    const test =
      type === 'number'
        ? `typeof (${t} = ${read}) === "number" && ${t} === ${t}`
        : `typeof (${t} = ${read}) === "${type}"`
    const [fast, general] =
      rightType !== undefined
        ? [`${t} ${js} ${right.code}`, `${slow}(${settled}, ${right.code})`]
        : [`${left.code} ${js} ${t}`, `${slow}(${left.code}, ${settled})`]
    return booleanExpr(`(${test} ? ${fast} : ${general})`)
  }
}

/** Literal list members compared with `===` inline (more go through a `Set`). */
const INLINE_MEMBERS = 16

function isInlineMember(value: unknown): boolean {
  return literalCode(value) !== undefined && value !== undefined
}

/**
 * `{"in": [needle, haystack]}` (ops-string.ts): a literal list is a membership test
 * (SameValueZero, as the closure's `Set`); anything else is the general substring/array test.
 */
const emitIn: OperatorEmitter = (args, walker, depth, path) => {
  if (!Array.isArray(args) || args.length < 2) return undefined
  const { emitter } = walker
  const haystack = walker.compiled(args[1], depth, `${path}/1`)
  const needle = walker.expr(args[0], depth, `${path}/0`)
  if (!haystack.isConstant || !Array.isArray(haystack.value)) {
    const list = walker.expr(args[1], depth, `${path}/1`)
    return booleanExpr(`${emitter.helper('inValue')}(${needle.code}, ${list.code})`)
  }
  const members: readonly unknown[] = haystack.value
  if (members.length === 0) return booleanExpr(`(${needle.code}, false)`)
  if (members.length > INLINE_MEMBERS || !members.every(isInlineMember)) {
    return booleanExpr(`${emitter.value(new Set(members))}.has(${needle.code})`)
  }
  // Without a null member, a missing value (which `var` settles to null) matches nothing anyway.
  const read = needle.raw !== undefined && !members.includes(null) ? needle.raw : needle.code
  const t = emitter.temp()
  const tests = members.map((member, i) =>
    i === 0
      ? `(${t} = ${read}) === ${literalCode(member) as string}`
      : `${t} === ${literalCode(member) as string}`,
  )
  return booleanExpr(`(${tests.join(' || ')})`)
}

/** `{"cat": [...]}` of values read at run time: JavaScript's `+` joins them (ops-string.ts). */
const emitCat: OperatorEmitter = (args, walker, depth, path) => {
  if (!Array.isArray(args) || args.length === 0) return undefined
  const parts = items(args, walker, depth, path)
  return { code: `("" + ${parts.map((part) => part.code).join(' + ')})`, kind: 'string' }
}

/**
 * `{"var": "a.b"}` and `{"var": ["a.b", fallback]}` with plain names (ops-data.ts, data-path.ts):
 * no escapes, no empty segment, no inherited `Object.prototype` name. `$flagd.flagKey` is a
 * constant and `$flagd.timestamp` reads the injected clock; other forms stay closures.
 */
const emitVar: OperatorEmitter = (args, walker, depth, path) => {
  const form: readonly unknown[] = Array.isArray(args) ? args : [args]
  const [key] = form
  if (form.length > 2 || (typeof key !== 'string' && typeof key !== 'number')) return undefined
  const text = String(key)
  if (text === '' || text.includes('\\')) return undefined
  const parts = text.split('.')
  const { emitter, options } = walker
  if (parts[0] === '$flagd') {
    // Never missing, so a fallback is never used.
    if (parts.length !== 2) return undefined
    if (parts[1] === 'flagKey') return constantExpr(emitter, options.flagKey)
    if (parts[1] === 'timestamp') {
      return { code: `${emitter.value(options.nowSeconds)}()`, kind: 'primitive' }
    }
    return undefined
  }
  if (!parts.every((part) => plainAttribute({ var: part }, false) === part)) return undefined
  const raw = readPath(emitter, parts)
  const fallback =
    form.length === 2 ? walker.expr(form[1], depth, `${path}/1`) : constantExpr(emitter, null)
  const t = emitter.temp()
  const code = `((${t} = ${raw}) === undefined || ${t} === null ? ${fallback.code} : typeof ${t} === "function" ? null : ${t})`
  const plain = fallback.constant !== undefined && fallback.constant.value === null
  return plain ? { code, kind: 'any', raw } : { code, kind: 'any' }
}

/** Property reads along a path, `undefined` as soon as a step is missing (or null). */
function readPath(emitter: Emitter, parts: readonly string[]): string {
  const key = (part: string): string => `[${JSON.stringify(part)}]`
  const [first, ...rest] = parts as [string, ...string[]]
  const head = `data == null ? undefined : data${key(first)}`
  if (rest.length === 0) return `(${head})`
  const t = emitter.temp()
  let code = `${t}${key(rest.at(-1) as string)}`
  for (let i = rest.length - 2; i >= 0; i--) {
    code = `(${t} = ${t}${key(rest[i] as string)}) == null ? undefined : ${code}`
  }
  return `((${t} = ${head}) == null ? undefined : ${code})`
}

const operators: ReadonlyMap<string, OperatorEmitter> = new Map<string, OperatorEmitter>([
  ['var', emitVar],
  ['if', emitIf],
  ['and', shortCircuit(false)],
  ['or', shortCircuit(true)],
  ['!', negation(true)],
  ['!!', negation(false)],
  ...['==', '===', '!=', '!==', '<', '<=', '>', '>='].map((op) => [op, comparison(op)] as const),
  ['in', emitIn],
  ['cat', emitCat],
  ['fractional', emitFractional],
  ['sem_ver', emitSemVer],
  ['starts_with', emitStringComparison('starts_with')],
  ['ends_with', emitStringComparison('ends_with')],
])
