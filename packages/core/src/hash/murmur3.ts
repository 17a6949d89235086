/**
 * MurmurHash3 x86 32-bit, seed 0, over the UTF-8 bytes of a string (as flagd's Go evaluator
 * hashes; identical to the `imurmurhash` package for ASCII). Written for the hot path: no
 * allocation for ASCII input, four characters per step, and a prefix (the flag key) hashed
 * once at load and resumed per call.
 */

/** The hash state after a prefix: whole 4-byte blocks mixed in, up to 3 bytes pending. */
export interface Murmur3State {
  readonly h1: number
  readonly pending: number
  readonly pendingBytes: number
  readonly length: number
}

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

export const EMPTY_STATE: Murmur3State = { h1: 0, pending: 0, pendingBytes: 0, length: 0 }

/** The unsigned 32-bit MurmurHash3 (seed 0) of the UTF-8 bytes of `text`. */
export function murmur3(text: string): number {
  return murmur3Resume(EMPTY_STATE, text)
}

/** The state after hashing `prefix` (compute once, then resume with {@link murmur3Resume}). */
export function murmur3Prefix(prefix: string): Murmur3State {
  return absorbUtf8(EMPTY_STATE, prefix)
}

/** The unsigned 32-bit hash of `prefix + text`, given the state after `prefix`. */
export function murmur3Resume(state: Murmur3State, text: string): number {
  const ascii = resumeAscii(state, text)
  if (ascii >= 0) return ascii
  const end = absorbUtf8(state, text)
  return finish(end.h1, end.pending, end.pendingBytes, end.length)
}

/**
 * The hot path: all-ASCII text, one character per byte, four per block, the prefix's pending
 * bytes completed first. Returns -1 (never a valid hash) at the first non-ASCII character.
 */
function resumeAscii(state: Murmur3State, text: string): number {
  const end = text.length
  let h1 = state.h1
  let i = 0
  const pendingBytes = state.pendingBytes
  if (pendingBytes > 0) {
    let block = state.pending
    const need = 4 - pendingBytes
    if (end < need) return -1
    for (; i < need; i++) {
      const code = text.charCodeAt(i)
      if (code >= 0x80) return -1
      block |= code << ((pendingBytes + i) << 3)
    }
    h1 = mixBlock(h1, block)
  }
  for (; i + 4 <= end; i += 4) {
    const a = text.charCodeAt(i)
    const b = text.charCodeAt(i + 1)
    const c = text.charCodeAt(i + 2)
    const d = text.charCodeAt(i + 3)
    if ((a | b | c | d) >= 0x80) return -1
    h1 = mixBlock(h1, a | (b << 8) | (c << 16) | (d << 24))
  }
  let tail = 0
  let shift = 0
  for (; i < end; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0x80) return -1
    tail |= code << shift
    shift += 8
  }
  return finish(h1, tail, shift >> 3, state.length + end)
}

/**
 * Mixes the UTF-8 bytes of `text` into `state` (lone surrogates become U+FFFD, as `TextEncoder`
 * does). The general path: prefixes at load, and non-ASCII text.
 */
function absorbUtf8(state: Murmur3State, text: string): Murmur3State {
  let { h1, pending, pendingBytes, length } = state
  for (const char of text) {
    for (const byte of codePointBytes(char.codePointAt(0) as number)) {
      pending |= byte << (pendingBytes << 3)
      length++
      if (++pendingBytes === 4) {
        h1 = mixBlock(h1, pending)
        pending = 0
        pendingBytes = 0
      }
    }
  }
  return { h1, pending, pendingBytes, length }
}

/** UTF-8 bytes of one code point; lone surrogates become U+FFFD, as `TextEncoder` does. */
function codePointBytes(code: number): number[] {
  if (code < 0x80) return [code]
  if (code < 0x800) return [0xc0 | (code >> 6), 0x80 | (code & 0x3f)]
  if (code >= 0xd800 && code <= 0xdfff) return [0xef, 0xbf, 0xbd]
  if (code < 0x10000)
    return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
  return [
    0xf0 | (code >> 18),
    0x80 | ((code >> 12) & 0x3f),
    0x80 | ((code >> 6) & 0x3f),
    0x80 | (code & 0x3f),
  ]
}

function mixBlock(h1: number, block: number): number {
  let k1 = Math.imul(block, C1)
  k1 = (k1 << 15) | (k1 >>> 17)
  k1 = Math.imul(k1, C2)
  h1 ^= k1
  h1 = (h1 << 13) | (h1 >>> 19)
  return (Math.imul(h1, 5) + 0xe6546b64) | 0
}

function finish(h1: number, pending: number, pendingBytes: number, length: number): number {
  if (pendingBytes > 0) {
    let k1 = Math.imul(pending, C1)
    k1 = (k1 << 15) | (k1 >>> 17)
    k1 = Math.imul(k1, C2)
    h1 ^= k1
  }
  h1 ^= length
  h1 ^= h1 >>> 16
  h1 = Math.imul(h1, 0x85ebca6b)
  h1 ^= h1 >>> 13
  h1 = Math.imul(h1, 0xc2b2ae35)
  h1 ^= h1 >>> 16
  return h1 >>> 0
}
