import { FlagsError } from '@canarykit/core'
import type { RequestExtra } from './types.js'

/**
 * Lets a request header force a variant, for manual testing. Off unless given. Only the named
 * header is read, only variants in `allow` are honoured, anything else is ignored (the call is
 * routed normally), and forced calls are recorded with `overridden: true`.
 *
 * @example
 * createCanaryRouter({ evaluator: engine, override: isProduction ? false : { allow: ['canary'] } })
 */
export interface HeaderOverrideOptions {
  /** The header to read. Default `x-canary-version`. */
  readonly header?: string
  /** The variants the header may select; at least one, each with an implementation. */
  readonly allow: readonly string[]
}

/**
 * The default override header name.
 *
 * @example
 * await fetch(url, { headers: { [DEFAULT_OVERRIDE_HEADER]: 'canary' } }) // when enabled and allowed
 */
export const DEFAULT_OVERRIDE_HEADER = 'x-canary-version'

/** Reads the forced variant of a call, or `undefined`. */
export type OverrideOf = (extra: RequestExtra) => string | undefined

// RFC 9110 token characters: what a header name may contain.
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/

/** Compiles the override options against a flag's implementations; throws `FlagsError` if invalid. */
export function overrideOf(
  options: HeaderOverrideOptions | false | undefined,
  variants: ReadonlySet<string>,
  flagKey: string,
): OverrideOf | undefined {
  if (options === undefined || options === false) return undefined
  const header = (options.header ?? DEFAULT_OVERRIDE_HEADER).toLowerCase()
  if (!TOKEN.test(header)) {
    throw new FlagsError(
      'INVALID_CONFIG',
      `override header ${JSON.stringify(header)} is not a header name`,
    )
  }
  const allow: unknown = options.allow
  if (!Array.isArray(allow) || allow.length === 0) {
    throw new FlagsError(
      'INVALID_CONFIG',
      `override for flag ${JSON.stringify(flagKey)} needs a non-empty allow list`,
    )
  }
  for (const variant of options.allow) {
    if (!variants.has(variant)) {
      throw new FlagsError(
        'INVALID_CONFIG',
        `override for flag ${JSON.stringify(flagKey)} allows ${JSON.stringify(variant)}, which has no implementation`,
      )
    }
  }
  const allowed = new Set(options.allow)
  return (extra) => {
    const value = extra.requestInfo?.headers[header]
    return typeof value === 'string' && allowed.has(value) ? value : undefined
  }
}
