/**
 * Hand-written JavaScript floors: what each case costs when its rule is written directly as
 * code, with no engine. Self-contained on purpose (the murmur3 here is not core's).
 */
import type { BenchContext } from './flags.js'

export type Floor = (context: BenchContext) => string | boolean

/** Case 1: a static flag is a constant. */
export const staticFloor: Floor = () => false

/** Cases 2 and 5: `tier == "enterprise" and region in [eu-west-1, eu-central-1]`. */
export const tierRegionFloor: Floor = (c) =>
  c.tier === 'enterprise' && (c.region === 'eu-west-1' || c.region === 'eu-central-1')
    ? 'on'
    : 'off'

// --- Case 3: murmur3 x86_32 (seed 0) over UTF-8 bytes ------------------------------------

/** Writes the UTF-8 bytes of `text` at `offset`; returns the end offset (lone surrogates → U+FFFD). */
export function writeUtf8(text: string, buffer: Uint8Array, offset: number): number {
  let at = offset
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i)
    if (code < 0x80) {
      buffer[at++] = code
      continue
    }
    if (code < 0x800) {
      buffer[at++] = 0xc0 | (code >> 6)
      buffer[at++] = 0x80 | (code & 0x3f)
      continue
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0
      if (code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
        i++
        buffer[at++] = 0xf0 | (code >> 18)
        buffer[at++] = 0x80 | ((code >> 12) & 0x3f)
        buffer[at++] = 0x80 | ((code >> 6) & 0x3f)
        buffer[at++] = 0x80 | (code & 0x3f)
        continue
      }
      code = 0xfffd
    }
    buffer[at++] = 0xe0 | (code >> 12)
    buffer[at++] = 0x80 | ((code >> 6) & 0x3f)
    buffer[at++] = 0x80 | (code & 0x3f)
  }
  return at
}

/** MurmurHash3 x86_32, seed 0, of `bytes[0..length)`, unsigned. */
export function murmur3Bytes(bytes: Uint8Array, length: number): number {
  const c1 = 0xcc9e2d51
  const c2 = 0x1b873593
  let h1 = 0
  const blocks = length & ~3
  let i = 0
  for (; i < blocks; i += 4) {
    let k1 =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24)
    k1 = Math.imul(k1, c1)
    k1 = (k1 << 15) | (k1 >>> 17)
    k1 = Math.imul(k1, c2)
    h1 ^= k1
    h1 = (h1 << 13) | (h1 >>> 19)
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0
  }
  const rest = length & 3
  if (rest > 0) {
    let k1 = bytes[i] as number
    if (rest > 1) k1 |= (bytes[i + 1] as number) << 8
    if (rest > 2) k1 |= (bytes[i + 2] as number) << 16
    k1 = Math.imul(k1, c1)
    k1 = (k1 << 15) | (k1 >>> 17)
    k1 = Math.imul(k1, c2)
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

/** murmur3 of a whole string (for the self-test; allocates). */
export function murmur3Text(text: string): number {
  const buffer = new Uint8Array(text.length * 3)
  return murmur3Bytes(buffer, writeUtf8(text, buffer, 0))
}

/** Known answers: the first three are standard vectors; "café" is the UTF-8 value flagd uses. */
export const MURMUR3_VECTORS: readonly (readonly [string, number])[] = [
  ['', 0],
  ['hello', 0x248bfa47],
  ['The quick brown fox jumps over the lazy dog', 0x2e4ff723],
  ['café', 605818632],
]

function mix(h1: number, block: number): number {
  let k1 = Math.imul(block, 0xcc9e2d51)
  k1 = (k1 << 15) | (k1 >>> 17)
  k1 = Math.imul(k1, 0x1b873593)
  h1 ^= k1
  h1 = (h1 << 13) | (h1 >>> 19)
  return (Math.imul(h1, 5) + 0xe6546b64) | 0
}

/**
 * `text => murmur3(prefix + text)` over UTF-8, with the prefix's bytes preloaded: its whole
 * 4-byte blocks are mixed once, its last 0-3 bytes wait for the text. ASCII text (the usual
 * targeting key) is hashed straight from `charCodeAt`; other text is encoded into a buffer.
 */
export function murmur3WithPrefix(prefix: string): (text: string) => number {
  let buffer = new Uint8Array(Math.max(64, prefix.length * 3 + 64))
  const prefixLength = writeUtf8(prefix, buffer, 0)
  const blocks = prefixLength & ~3
  let prefixHash = 0
  for (let i = 0; i < blocks; i += 4) {
    prefixHash = mix(
      prefixHash,
      (buffer[i] as number) |
        ((buffer[i + 1] as number) << 8) |
        ((buffer[i + 2] as number) << 16) |
        ((buffer[i + 3] as number) << 24),
    )
  }
  const pendingCount = prefixLength - blocks
  let pendingBits = 0
  for (let i = 0; i < pendingCount; i++) pendingBits |= (buffer[blocks + i] as number) << (i * 8)

  const slow = (text: string): number => {
    if (prefixLength + text.length * 3 > buffer.length) {
      const grown = new Uint8Array((prefixLength + text.length * 3) * 2)
      grown.set(buffer.subarray(0, prefixLength))
      buffer = grown
    }
    return murmur3Bytes(buffer, writeUtf8(text, buffer, prefixLength))
  }

  return (text) => {
    const n = text.length
    let h1 = prefixHash
    let i = 0
    if (pendingCount > 0) {
      // Complete the prefix's partial block with the first text characters.
      const need = 4 - pendingCount
      if (n < need) return slow(text)
      let block = pendingBits
      for (; i < need; i++) {
        const c = text.charCodeAt(i)
        if (c >= 0x80) return slow(text)
        block |= c << ((pendingCount + i) * 8)
      }
      h1 = mix(h1, block)
    }
    for (; i + 4 <= n; i += 4) {
      const a = text.charCodeAt(i)
      const b = text.charCodeAt(i + 1)
      const c = text.charCodeAt(i + 2)
      const d = text.charCodeAt(i + 3)
      if ((a | b | c | d) >= 0x80) return slow(text)
      h1 = mix(h1, a | (b << 8) | (c << 16) | (d << 24))
    }
    let tail = 0
    let shift = 0
    for (; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c >= 0x80) return slow(text)
      tail |= c << shift
      shift += 8
    }
    if (shift > 0) {
      let k1 = Math.imul(tail, 0xcc9e2d51)
      k1 = (k1 << 15) | (k1 >>> 17)
      k1 = Math.imul(k1, 0x1b873593)
      h1 ^= k1
    }
    h1 ^= prefixLength + n
    h1 ^= h1 >>> 16
    h1 = Math.imul(h1, 0x85ebca6b)
    h1 ^= h1 >>> 13
    h1 = Math.imul(h1, 0xc2b2ae35)
    h1 ^= h1 >>> 16
    return h1 >>> 0
  }
}

/** Checks both hashers against the known answers, the prefixed one at every split point. */
export function murmur3SelfTest(): string[] {
  const failures: string[] = []
  for (const [text, expected] of MURMUR3_VECTORS) {
    if (murmur3Text(text) !== expected) failures.push(`murmur3(${JSON.stringify(text)})`)
    for (let split = 0; split <= text.length; split++) {
      const prefix = text.slice(0, split)
      const actual = murmur3WithPrefix(prefix)(text.slice(split))
      if (actual !== expected)
        failures.push(`murmur3(${JSON.stringify(prefix)} + rest) = ${actual}`)
    }
  }
  return failures
}

/**
 * Case 3: the `new-search-tool` flag by hand: the tier+region rule, the beta rule, then flagd's
 * bucket `floor(hash * 100 / 2^32)` with 10 % "on" (hash of flag key + targeting key).
 */
export function rolloutFloor(flagKey: string): Floor {
  const hash = murmur3WithPrefix(flagKey)
  return (c) => {
    if (c.tier === 'enterprise' && (c.region === 'eu-west-1' || c.region === 'eu-central-1')) {
      return 'on'
    }
    if (c.beta === true) return 'on'
    const key = c.targetingKey
    if (typeof key !== 'string' || key === '') return 'off'
    return Math.floor((hash(key) * 100) / 4294967296) < 10 ? 'on' : 'off'
  }
}

// --- Case 4: sem_ver >= 2.1.0 -------------------------------------------------------------

const MIN_MAJOR = 2
const MIN_MINOR = 1
const MIN_PATCH = 0

/**
 * `appVersion >= 2.1.0` with "major.minor.patch[-prerelease]" parsed by hand against a pre-parsed
 * constant; a pre-release sorts below its release. Anything else is "off" (flagd: no match).
 */
export const semVerFloor: Floor = (c) => {
  const text = c.appVersion
  let at = 0
  let major = 0
  let minor = 0
  let patch = 0
  for (let part = 0; part < 3; part++) {
    let value = 0
    const start = at
    while (at < text.length) {
      const digit = text.charCodeAt(at) - 48
      if (digit < 0 || digit > 9) break
      value = value * 10 + digit
      at++
    }
    if (at === start) return 'off'
    if (part === 0) major = value
    else if (part === 1) minor = value
    else patch = value
    if (part < 2) {
      if (text.charCodeAt(at) !== 46) return 'off'
      at++
    }
  }
  const prerelease = at < text.length && text.charCodeAt(at) === 45
  if (major !== MIN_MAJOR) return major > MIN_MAJOR ? 'on' : 'off'
  if (minor !== MIN_MINOR) return minor > MIN_MINOR ? 'on' : 'off'
  if (patch !== MIN_PATCH) return patch > MIN_PATCH ? 'on' : 'off'
  return prerelease ? 'off' : 'on'
}
