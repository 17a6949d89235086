import type { EvaluationContext } from '../types.js'

/**
 * A compiled rule node. `data` is what `var` reads (the context, or the current element inside
 * `map`/`filter`/...); `root` is always the evaluation context (for `fractional`).
 */
export type RuleFn = (data: unknown, root: EvaluationContext) => unknown

/** A compiled node, with its value when it does not depend on the context (folded at load). */
export interface Compiled {
  readonly fn: RuleFn
  readonly isConstant: boolean
  readonly value: unknown
}

/** What the compiler knows while it walks one flag's targeting. */
export interface CompileScope {
  readonly flagKey: string
  /** Unix seconds for `$flagd.timestamp`. */
  readonly nowSeconds: () => number
  /** Inside `map`/`filter`/`all`/`some`/`none`/`reduce`, `var` reads the current element. */
  readonly inIterator: boolean
  readonly depth: number
  /**
   * Inside a rule that is evaluated once at load (see `compileTargeting`): failures are left to
   * that evaluation, so a branch that is never taken cannot fail.
   */
  readonly folding: boolean
  /** Compiles a sub-rule (passed in so that operator modules need not import the table). */
  readonly compile: (rule: unknown, scope: CompileScope, path: string) => Compiled
}

/** A targeting rule that cannot be compiled; the flag then evaluates to `PARSE_ERROR`. */
export class RuleError extends Error {
  override readonly name = 'RuleError'
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message)
  }
}

/** A node whose value is known at load time. */
export function constant(value: unknown): Compiled {
  return { fn: () => value, isConstant: true, value }
}

/** A node that depends on the context. */
export function dynamic(fn: RuleFn): Compiled {
  return { fn, isConstant: false, value: undefined }
}

/**
 * Computes `fn` once when every input is constant. A failure is kept for evaluation: only a whole
 * constant rule is reported at load (`compileTargeting`), as flagd-core's engine reports it.
 */
export function fold(inputs: readonly Compiled[], fn: RuleFn): Compiled {
  if (!inputs.every((input) => input.isConstant)) return dynamic(fn)
  try {
    return constant(fn(undefined, EMPTY_CONTEXT))
  } catch (error) {
    return dynamic(() => {
      throw error
    })
  }
}

/**
 * flagd's own operators (`fractional`, `sem_ver`, `starts_with`, `ends_with`) are never folded by
 * flagd-core's engine, so a parent failing on their value fails at evaluation (`GENERAL`), not at
 * load. A constant result is still computed once.
 */
export function opaque(node: Compiled): Compiled {
  if (!node.isConstant) return node
  const { value } = node
  return { fn: () => value, isConstant: false, value: undefined }
}

export const EMPTY_CONTEXT: EvaluationContext = Object.freeze({})

/** Text for anything a rule threw (rules throw plain values such as `NaN` on bad arithmetic). */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'number' && Number.isNaN(error)) return 'not a number'
  return String(error)
}
