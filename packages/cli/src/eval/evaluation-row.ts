import type {
  Engine,
  ErrorCode,
  EvaluationContext,
  FlagDefinition,
  FlagValue,
  Reason,
  Resolution,
} from '@canarykit/core'

/**
 * What a row shows of one flag's resolution. Structural, so `evaluateAll` results fit as they
 * are and `evaluate` results need only the flag key added.
 */
export interface FlagOutcome {
  readonly flagKey: string
  readonly value?: FlagValue | undefined
  readonly variant?: string | undefined
  readonly reason: Reason
  readonly errorCode?: ErrorCode | undefined
  readonly errorMessage?: string | undefined
}

/** One output line: a flag's resolution for one context (`line` of the JSONL file, if any). */
export interface EvaluationRow {
  readonly resolution: FlagOutcome
  readonly context: EvaluationContext
  readonly line: number | undefined
}

/** Evaluates the flags of one run for one context. */
export type Evaluator = (context: EvaluationContext) => readonly FlagOutcome[]

/** All flags (`evaluateAll`), or one flag typed after its own variants. */
export function createEvaluator(engine: Engine, flagKey: string | undefined): Evaluator {
  if (flagKey === undefined) return (context) => engine.evaluateAll(context)
  const evaluate = typedEvaluate(engine, flagKey, engine.flagDefinition(flagKey))
  return (context) => [{ flagKey, ...evaluate(context) }]
}

type EvaluateOne = (context: EvaluationContext) => Resolution<FlagValue>

/**
 * `evaluate` checks the caller's type against the variants, so the CLI passes a default of the
 * flag's own type (variants of a flag share one type). The default is only a placeholder: rows
 * without a variant do not print a value.
 */
function typedEvaluate(
  engine: Engine,
  flagKey: string,
  definition: FlagDefinition | undefined,
): EvaluateOne {
  const sample = definition === undefined ? undefined : Object.values(definition.variants)[0]
  switch (typeof sample) {
    case 'string':
      return (context) => engine.evaluate(flagKey, '', context)
    case 'number':
      return (context) => engine.evaluate(flagKey, 0, context)
    case 'object':
      return (context) => engine.evaluate(flagKey, {}, context)
    default:
      return (context) => engine.evaluate(flagKey, false, context)
  }
}

function targetingKeyOf(context: EvaluationContext): string | undefined {
  const key = context.targetingKey
  return typeof key === 'string' ? key : undefined
}

/** A value is shown only when a variant was resolved; otherwise it is the CLI's placeholder. */
function shownValue(resolution: FlagOutcome): FlagValue | undefined {
  return resolution.variant === undefined ? undefined : resolution.value
}

/** `new-search  session-42  value=true variant=on reason=TARGETING_MATCH` */
export function formatHuman({ resolution, context }: EvaluationRow): string {
  const { flagKey, variant, reason, errorCode, errorMessage } = resolution
  const fields: string[] = []
  const value = shownValue(resolution)
  if (value !== undefined) fields.push(`value=${JSON.stringify(value)}`)
  if (variant !== undefined) fields.push(`variant=${variant}`)
  fields.push(`reason=${reason}`)
  if (errorCode !== undefined) fields.push(`errorCode=${errorCode}`)
  if (errorMessage !== undefined) fields.push(`message=${JSON.stringify(errorMessage)}`)
  return `${flagKey}  ${targetingKeyOf(context) ?? '-'}  ${fields.join(' ')}\n`
}

/** One JSON object per line; `JSON.stringify` drops the fields that are `undefined`. */
export function formatJson({ resolution, context, line }: EvaluationRow): string {
  const row = {
    flagKey: resolution.flagKey,
    targetingKey: targetingKeyOf(context),
    value: shownValue(resolution),
    variant: resolution.variant,
    reason: resolution.reason,
    errorCode: resolution.errorCode,
    errorMessage: resolution.errorMessage,
    line,
  }
  return `${JSON.stringify(row)}\n`
}
