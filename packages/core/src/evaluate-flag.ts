import type { CompiledFlag } from './load/compile-flag.js'
import type {
  ErrorCode,
  EvaluationContext,
  FailedResolution,
  FlagMetadata,
  FlagValue,
  ResolvedValue,
  UnresolvedValue,
} from './types.js'

/** A flag's outcome before the caller's type is applied. */
export type VariantOutcome =
  ResolvedValue<FlagValue> | UnresolvedValue | Omit<FailedResolution<FlagValue>, 'value'>

/** flagd's resolution algorithm for one flag (may throw only on a hostile context). */
export function evaluateFlag(flag: CompiledFlag, context: EvaluationContext): VariantOutcome {
  if (flag.disabled) return { reason: 'DISABLED', flagMetadata: flag.metadata }
  if (flag.brokenBecause !== undefined) {
    return problem(
      'PARSE_ERROR',
      `flag ${JSON.stringify(flag.key)} has an invalid rule: ${flag.brokenBecause.path}: ${flag.brokenBecause.message}`,
      flag.metadata,
    )
  }
  const { rule, defaultVariant } = flag
  if (rule === undefined)
    return defaultVariant?.asStatic ?? { reason: 'DEFAULT', flagMetadata: flag.metadata }
  if (typeof context !== 'object' || context === null) {
    return problem('INVALID_CONTEXT', 'the evaluation context must be an object', flag.metadata)
  }
  let result: unknown
  try {
    result = rule(context, context)
  } catch (error) {
    return ruleFailed(flag, error)
  }
  return ruleOutcome(flag, result)
}

/** A rule that threw: `ERROR/GENERAL`. */
export function ruleFailed(flag: CompiledFlag, error: unknown): VariantOutcome {
  return problem(
    'GENERAL',
    `targeting of flag ${JSON.stringify(flag.key)} failed: ${describe(error)}`,
    flag.metadata,
  )
}

/** What the value a rule returned means: the default, a variant, or `ERROR/GENERAL`. */
export function ruleOutcome(flag: CompiledFlag, result: unknown): VariantOutcome {
  const { defaultVariant } = flag
  if (result === null || result === undefined) {
    return defaultVariant?.asDefault ?? { reason: 'DEFAULT', flagMetadata: flag.metadata }
  }
  const name = variantName(result)
  const variant = name === undefined ? undefined : flag.variants.get(name)
  if (variant === undefined) {
    return problem(
      'GENERAL',
      `targeting of flag ${JSON.stringify(flag.key)} returned ${preview(result)}, which is not a variant`,
      flag.metadata,
    )
  }
  return variant.asMatch
}

/** Booleans and numbers name variants by their text (`true` → `"true"`); others name none. */
function variantName(result: unknown): string | undefined {
  if (typeof result === 'string') return result
  if (typeof result === 'boolean' || typeof result === 'number') return String(result)
  return undefined
}

export function failure<T>(
  value: T,
  errorCode: ErrorCode,
  errorMessage: string,
  flagMetadata: FlagMetadata,
): FailedResolution<T> {
  return { value, reason: 'ERROR', errorCode, errorMessage, flagMetadata }
}

function problem(
  errorCode: ErrorCode,
  errorMessage: string,
  flagMetadata: FlagMetadata,
): Omit<FailedResolution<FlagValue>, 'value'> {
  return { reason: 'ERROR', errorCode, errorMessage, flagMetadata }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  return typeof error === 'number' && Number.isNaN(error) ? 'not a number' : String(error)
}

function preview(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value)
    return text.length > 80 ? `${text.slice(0, 77)}...` : text
  } catch {
    return 'an unprintable value'
  }
}
