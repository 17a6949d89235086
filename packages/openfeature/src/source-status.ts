import type { FlagsError } from '@canarykit/core'

/**
 * The health of the flag source, as the provider sees it ({@link CanaryProvider.sourceStatus}).
 *
 * @example
 * const { state, lastError } = provider.sourceStatus
 * if (state !== 'ok') console.warn(`flags: ${state}: ${lastError?.message}`)
 */
export interface SourceStatus {
  /**
   * `idle`: not initialized or closed; `ok`: the latest content is loaded; `stale`: the source is
   * unavailable; `error`: the latest content was rejected. In the last two the last good flags
   * keep serving (after a failed `initialize` there are none: `loads` is 0).
   */
  readonly state: 'idle' | 'ok' | 'stale' | 'error'
  /** Why the state is `stale` or `error` (file, flag and JSON path in the message). */
  readonly lastError?: FlagsError
  /** When the serving flags were loaded (clock milliseconds). */
  readonly lastLoadedAt?: number
  /** xxh64 of the serving content. */
  readonly contentHash?: string
  /** Successful loads so far, the initial one included. */
  readonly loads: number
}
