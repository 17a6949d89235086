import { FlagsError, type FlagsDocument } from '@canarykit/core'
import { createContentHasher, type ContentHasher } from './content-hasher.js'
import type { FlagSource, FlagSourceListener } from './flag-source.js'

/**
 * An in-memory flag set. See {@link objectSource}.
 *
 * @example
 * const source: ObjectSource = objectSource({ flags: {} })
 * source.update(nextDocument)
 */
export interface ObjectSource extends FlagSource {
  /**
   * Replaces the flag set; a running provider reloads it at once, through the same path as a file
   * edit (an invalid document is rejected and the last good flags keep serving). Throws a
   * `FlagsError` only when the document cannot be serialised to JSON.
   */
  update(document: FlagsDocument | string): void
}

/**
 * Flags defined in code or in a test: a flagd document (object or JSON text) held in memory.
 *
 * @example
 * const flag = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }
 * const source = objectSource({ flags: { 'new-search': flag } })
 * await OpenFeature.setProviderAndWait(new CanaryProvider({ source }))
 * source.update(nextDocument) // emits PROVIDER_CONFIGURATION_CHANGED for the flags that changed
 */
export function objectSource(
  document: FlagsDocument | string,
  options: { readonly name?: string } = {},
): ObjectSource {
  const name = options.name ?? 'object'
  let text = serialise(document, name)
  let running: { listener: FlagSourceListener; hash: ContentHasher; lastHash: string } | undefined
  let starts = 0

  return {
    name,
    async start(listener) {
      const start = ++starts
      const hash = await createContentHasher()
      if (start !== starts)
        throw new FlagsError('NOT_READY', 'restarted while starting', { source: name })
      running = { listener, hash, lastHash: hash(text) }
      return { text, hash: running.lastHash }
    },
    stop() {
      starts++
      running = undefined
      return Promise.resolve()
    },
    update(next) {
      text = serialise(next, name)
      if (running === undefined) return
      const hash = running.hash(text)
      if (hash === running.lastHash) return
      running.lastHash = hash
      running.listener.change({ text, hash })
    },
  }
}

function serialise(document: FlagsDocument | string, name: string): string {
  if (typeof document === 'string') return document
  try {
    return JSON.stringify(document)
  } catch (error) {
    throw new FlagsError('INVALID_CONFIG', 'the document is not JSON-serialisable', {
      source: name,
      cause: error,
    })
  }
}
