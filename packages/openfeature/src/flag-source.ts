import type { FlagsError } from '@canarykit/core'

/**
 * One version of a flag set, as a {@link FlagSource} delivers it.
 *
 * @example
 * const content: FlagContent = { text: '{"flags":{}}', hash: 'ef46db3751d8e999' }
 */
export interface FlagContent {
  /** The flagd document as JSON text. */
  readonly text: string
  /** A fingerprint of `text` (xxh64, 16 hex digits): equal text, equal hash. */
  readonly hash: string
}

/**
 * What a {@link FlagSource} reports to while it runs. The provider's implementation never throws.
 *
 * @example
 * const initial = await source.start({
 *   change: (content) => engine.load(content.text),
 *   unavailable: (error) => console.warn(error.message),
 * })
 */
export interface FlagSourceListener {
  /** New content: different from the last delivered, or the first after {@link unavailable}. */
  change(content: FlagContent): void
  /**
   * The content cannot be read any more (a `FlagsError` with code `SOURCE_UNAVAILABLE`): the
   * provider keeps serving what it has and reports `PROVIDER_STALE`.
   */
  unavailable(error: FlagsError): void
}

/**
 * Where a provider's flags come from: a file, an in-memory object, later a fleet sync stream.
 * Two methods, so a new source needs no change in the provider.
 *
 * Contract: `start` resolves with the initial content, or rejects with a `FlagsError` when there is
 * none; afterwards, and until `stop`, the source calls the listener (never synchronously from
 * `start`). `stop` releases every watcher and timer, is idempotent, and silences the listener.
 * A stopped source may be started again.
 *
 * @example
 * const source: FlagSource = {
 *   name: 'static',
 *   start: async () => ({ text: '{"flags":{}}', hash: 'static' }),
 *   stop: async () => undefined,
 * }
 */
export interface FlagSource {
  /** Names the source in error messages and in the provider's status (for files: the path). */
  readonly name: string
  start(listener: FlagSourceListener): Promise<FlagContent>
  stop(): Promise<void>
}
