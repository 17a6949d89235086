import xxhash from 'xxhash-wasm'

/** Hashes flag-file text for change detection (never for bucketing, which is flagd's murmur3). */
export type ContentHasher = (text: string) => string

/**
 * Instantiates xxhash-wasm (asynchronous, once per source start) and returns a 64-bit hasher.
 *
 * @internal
 */
export async function createContentHasher(): Promise<ContentHasher> {
  const api = await xxhash()
  return (text) => api.h64ToString(text)
}
