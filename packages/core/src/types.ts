/** A JSON value as it appears in a flags file or an evaluation context. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue
}

/** The value of a flag variant: flagd allows booleans, strings, numbers and objects. */
export type FlagValue = boolean | string | number | JsonObject

/** The type a caller asks for, selected by the type of its default value. */
export type FlagValueType = 'boolean' | 'string' | 'number' | 'object'

/**
 * Attributes a rule can read. `targetingKey` is the unit of bucketing (for canarykit: the MCP
 * session). Structurally compatible with OpenFeature's `EvaluationContext`.
 */
export interface EvaluationContext {
  readonly targetingKey?: string
  readonly [attribute: string]: unknown
}

/** Why a value was resolved; spelled as OpenFeature spells its standard reasons. */
export type Reason = 'STATIC' | 'TARGETING_MATCH' | 'DEFAULT' | 'DISABLED' | 'ERROR'

/** Why an evaluation failed; spelled as OpenFeature spells its error codes. */
export type ErrorCode =
  'FLAG_NOT_FOUND' | 'PARSE_ERROR' | 'TYPE_MISMATCH' | 'GENERAL' | 'INVALID_CONTEXT'

/** Flat metadata: flag-set metadata overlaid by the flag's own. */
export type FlagMetadata = Readonly<Record<string, string | number | boolean>>

/** A successful evaluation. `variant` is absent when the caller's default was used. */
export interface ResolvedValue<T> {
  readonly value: T
  readonly variant?: string
  readonly reason: Exclude<Reason, 'ERROR'>
  readonly errorCode?: undefined
  readonly errorMessage?: undefined
  readonly flagMetadata: FlagMetadata
}

/** A failed evaluation: `value` is always the caller's default. */
export interface FailedResolution<T> {
  readonly value: T
  readonly variant?: undefined
  readonly reason: 'ERROR'
  readonly errorCode: ErrorCode
  readonly errorMessage: string
  readonly flagMetadata: FlagMetadata
}

/**
 * The outcome of one evaluation. Resolutions are frozen and may be shared between calls.
 *
 * @example
 * const r = engine.evaluate('new-search', false, { targetingKey: 'session-42' })
 * if (r.reason === 'ERROR') console.warn(r.errorCode, r.errorMessage)
 */
export type Resolution<T> = ResolvedValue<T> | FailedResolution<T>

/** A successful evaluation that resolved no variant (disabled, or no default variant). */
export interface UnresolvedValue {
  readonly value?: undefined
  readonly variant?: undefined
  readonly reason: 'DEFAULT' | 'DISABLED'
  readonly errorCode?: undefined
  readonly errorMessage?: undefined
  readonly flagMetadata: FlagMetadata
}

/** One flag's outcome in a bulk evaluation; `value` is absent when no variant was resolved. */
export type BulkResolution = { readonly flagKey: string } & (
  | ResolvedValue<FlagValue>
  | UnresolvedValue
  | (Omit<FailedResolution<FlagValue>, 'value'> & { readonly value?: undefined })
)

/** Where engine diagnostics go. Every method is optional; the default logger is silent. */
export interface Logger {
  debug?(message: string): void
  info?(message: string): void
  warn?(message: string): void
  error?(message: string): void
}

/** Milliseconds since the Unix epoch, like `Date.now()`. */
export type Clock = () => number
