import type { FlagValue, JsonObject } from '../types.js'

/** One flag as written in a flagd flags file. */
export interface FlagDefinition {
  readonly state: 'ENABLED' | 'DISABLED'
  readonly variants: Readonly<Record<string, FlagValue>>
  readonly defaultVariant?: string | null
  readonly targeting?: JsonObject
  readonly metadata?: Readonly<Record<string, string | number | boolean>>
}

/**
 * A flagd flags file (`https://flagd.dev/schema/v0/flags.json`). Unknown top-level keys are kept
 * and ignored, as flagd does.
 */
export interface FlagsDocument {
  readonly $schema?: string
  readonly flags: Readonly<Record<string, FlagDefinition>>
  readonly $evaluators?: Readonly<Record<string, JsonObject>>
  readonly metadata?: Readonly<Record<string, string | number | boolean>>
  readonly [extension: string]: unknown
}
