import type { RuntimeHelpers } from './runtime.js'

/**
 * What the generator knows about a value's type. `primitive` is never an object or a function
 * (string, number, boolean, `null`, `undefined`), so JavaScript truthiness is JsonLogic's.
 */
export type Kind = 'boolean' | 'string' | 'primitive' | 'any'

/** One generated JavaScript expression. */
export interface Expr {
  /** Binds tighter than any binary operator: a literal, a name, a call, or parenthesised. */
  readonly code: string
  readonly kind: Kind
  /** Set when the value is known at load (the code then has no effects). */
  readonly constant?: { readonly value: unknown }
  /**
   * For `{"var": path}` without a fallback: the property read before `var` settles it (missing
   * or a function → `null`), for callers that settle only on their slow path.
   */
  readonly raw?: string
  /** The whole expression is a closure of the closure compiler. */
  readonly closure?: true
  /** The code yields a {@link Decision}, not the rule's value (see `Walker.decision`). */
  readonly decided?: true
}

/**
 * Collects what a generated function needs besides its body: temporaries, and values passed in
 * as parameters (constants that are not primitive literals, closures, per-flag state). Every
 * identifier in the generated source is chosen here or is a fixed helper name; rule text only
 * ever reaches the source through `JSON.stringify` ({@link literalCode}, property keys).
 */
export class Emitter {
  private temps = 0
  private readonly values: unknown[] = []
  private readonly objects = new Map<unknown, string>()
  private readonly helpers = new Set<keyof RuntimeHelpers>()

  /** A fresh local variable. */
  temp(): string {
    return `t${this.temps++}`
  }

  /** A value passed in as a parameter (each object once). */
  value(value: unknown): string {
    const known = this.objects.get(value)
    if (known !== undefined) return known
    this.values.push(value)
    const name = `k${this.values.length - 1}`
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
      this.objects.set(value, name)
    }
    return name
  }

  /** A shared runtime helper (see runtime.ts). */
  helper(name: keyof RuntimeHelpers): string {
    this.helpers.add(name)
    return name
  }

  /**
   * The factory's body: `new Function('h', 'k', source)(helpers, values)` returns the functions,
   * each `function name(data, root) { return <expression>; }`, in an array.
   */
  source(functions: readonly (readonly [name: string, body: string])[]): {
    source: string
    values: readonly unknown[]
  } {
    const lines = ['"use strict";']
    if (this.helpers.size > 0) lines.push(`const { ${[...this.helpers].join(', ')} } = h;`)
    if (this.values.length > 0) {
      lines.push(`const ${this.values.map((_, i) => `k${i} = k[${i}]`).join(', ')};`)
    }
    // Every function declares every temporary; each uses its own.
    const locals = Array.from({ length: this.temps }, (_, i) => `t${i}`)
    for (const [name, body] of functions) {
      lines.push(`function ${name}(data, root) {`)
      if (locals.length > 0) lines.push(`  let ${locals.join(', ')};`)
      lines.push(`  return ${body};`, '}')
    }
    lines.push(`return [${functions.map(([name]) => name).join(', ')}];`)
    return { source: lines.join('\n'), values: this.values }
  }
}

/** JavaScript source for a primitive JSON value, or `undefined` (then pass it as a value). */
export function literalCode(value: unknown): string | undefined {
  if (value === null) return 'null'
  if (value === undefined) return '(void 0)'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (Object.is(value, -0)) return '(-0)'
    const text = JSON.stringify(value)
    return value < 0 ? `(${text})` : text
  }
  return undefined
}

export function kindOf(value: unknown): Kind {
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'string') return 'string'
  return value !== null && (typeof value === 'object' || typeof value === 'function')
    ? 'any'
    : 'primitive'
}

/** A value known at load, as a literal or a parameter. */
export function constantExpr(emitter: Emitter, value: unknown): Expr {
  return {
    code: literalCode(value) ?? emitter.value(value),
    kind: kindOf(value),
    constant: { value },
  }
}

/** The common kind of several expressions. */
export function joinKinds(exprs: readonly Expr[]): Kind {
  const kinds = new Set(exprs.map((expr) => expr.kind))
  if (kinds.size === 1) return exprs[0]?.kind ?? 'any'
  return kinds.has('any') ? 'any' : 'primitive'
}

/** A boolean expression equal to JsonLogic's truthiness of `expr`. */
export function truthyCode(emitter: Emitter, expr: Expr): string {
  if (expr.kind === 'boolean') return expr.code
  if (expr.kind !== 'any') return `(!!${expr.code})`
  const t = emitter.temp()
  const truthy = emitter.helper('truthy')
  return `((${t} = ${expr.code}) !== null && typeof ${t} === "object" ? ${truthy}(${t}) : !!${t})`
}

/** An expression whose JavaScript truthiness is `expr`'s JsonLogic truthiness (a test). */
export function conditionCode(emitter: Emitter, expr: Expr): string {
  return expr.kind === 'any' ? truthyCode(emitter, expr) : expr.code
}
