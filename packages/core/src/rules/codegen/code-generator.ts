import type { EvaluationContext, FlagValue, ResolvedValue } from '../../types.js'
import type { RuleFn } from '../compiled.js'
import type { CompileOptions } from '../compile-rule.js'
import { Walker, type Outcomes } from './generate-rule.js'
import { runtimeHelpers } from './runtime.js'

export type { Outcomes } from './generate-rule.js'

/** A rule's value that a generated resolver leaves to the engine (`ruleOutcome`). */
export interface Undecided {
  readonly reason?: undefined
  readonly value: unknown
}

/**
 * What a generated resolver returns: the shared result of the variant a literal outcome names
 * (`reason` set), or the rule's value for the engine to resolve.
 */
export type Decision = ResolvedValue<FlagValue> | Undecided

/** A flag's targeting as generated code. */
export interface GeneratedRule {
  /** The rule's value, exactly as the closures compute it. */
  readonly rule: RuleFn
  /** The same evaluation, deciding literal outcomes itself (the engine's fast path). */
  readonly resolve: (data: unknown, root: EvaluationContext) => Decision
}

/** Generates code for a targeting the closure compiler accepted, or `undefined`. */
export type RuleGenerator = (
  rule: unknown,
  options: CompileOptions,
  outcomes: Outcomes,
) => GeneratedRule | undefined

/** Larger generated sources are left to the closures (no rule of any real flag comes near). */
const MAX_SOURCE_LENGTH = 131072

/** The source of a factory returning `[rule, resolve]`, and the values it takes. */
export interface GeneratedSource {
  readonly source: string
  readonly values: readonly unknown[]
}

/**
 * The generated source for a rule that `compileTargeting` compiled with these options, or
 * `undefined` when generating gains nothing (the rule is constant, or its top operator is not
 * in the generated subset).
 */
export function generateSource(
  rule: unknown,
  options: CompileOptions,
  outcomes: Outcomes,
): GeneratedSource | undefined {
  const walker = new Walker(rule, options, outcomes)
  const top = walker.expr(rule, 0, options.path)
  if (top.closure === true || top.constant !== undefined) return undefined
  const decided = walker.decision(rule, 0, options.path)
  return walker.emitter.source([
    ['rule', top.code],
    ['resolve', decided.code],
  ])
}

/**
 * Creates the generator an engine uses at `load`, after the closure compiler has accepted a
 * flag's targeting (so diagnostics and folding stay that compiler's). It never throws: where
 * code cannot be generated the closures serve, and where the runtime refuses code generation
 * (a Content-Security-Policy, some edge runtimes) it stops trying.
 */
export function createCodeGenerator(): RuleGenerator {
  let available = true
  return (rule, options, outcomes) => {
    if (!available) return undefined
    let generated: GeneratedSource | undefined
    try {
      generated = generateSource(rule, options, outcomes)
    } catch {
      return undefined
    }
    if (generated === undefined || generated.source.length > MAX_SOURCE_LENGTH) return undefined
    try {
      const made = newFunction(['h', 'k'], generated.source)(runtimeHelpers, generated.values)
      if (!Array.isArray(made)) return undefined
      const [ruleFn, resolve] = made as unknown[]
      if (typeof ruleFn !== 'function' || typeof resolve !== 'function') return undefined
      return { rule: ruleFn as GeneratedRule['rule'], resolve: resolve as GeneratedRule['resolve'] }
    } catch (error) {
      // How a CSP or an edge runtime refuses `new Function`; anything else is this rule's own.
      if (error instanceof EvalError) available = false
      return undefined
    }
  }
}

function newFunction(parameters: readonly string[], body: string): (...args: unknown[]) => unknown {
  // Rule text reaches `body` only through JSON.stringify'd literals (emitter.ts, literalCode).
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...parameters, body) as (...args: unknown[]) => unknown
}
