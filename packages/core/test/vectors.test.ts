import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { bucketOf, createEngine, HASH_VERSION, murmur3 } from '@canarykit/core'
import type { JsonObject, JsonValue } from '@canarykit/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

// Language-neutral hashing vectors (test/vectors/*.json): MurmurHash3 and flagd's v2
// fractional bucketing, checked through the public API down to full evaluations.

interface HashVectors {
  readonly specVersion: string
  readonly hashVersion: string
  readonly murmur3: readonly { readonly input: string; readonly hash: number }[]
  readonly fractional: readonly FractionalVector[]
}

interface FractionalVector {
  readonly flag: string
  /** The bucketing expression; `null` is the shorthand (flag key + targeting key). */
  readonly bucketBy: JsonValue
  readonly buckets: readonly (readonly [string, number])[]
  readonly variants: Readonly<Record<string, string>>
  readonly context: JsonObject
  readonly bucketingValue: string
  readonly hash: number
  readonly variant: string
  readonly value: string
}

interface BucketingVectors {
  readonly specVersion: string
  readonly hashVersion: string
  readonly buckets: readonly {
    readonly hash: number
    readonly total: number
    readonly bucket: number
  }[]
}

const hashVectors = readVectors<HashVectors>('hash.json')
const bucketingVectors = readVectors<BucketingVectors>('bucketing.json')

/** Strings of ASCII, BMP (lone surrogates included) and astral code points, mixed. */
const anyUtf16 = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0xffff }),
      fc.integer({ min: 0x10000, max: 0x10ffff }),
    ),
    { maxLength: 32 },
  )
  .map((codePoints) => String.fromCodePoint(...codePoints))

describe('hash vectors: murmur3', () => {
  it('are the current spec and hash version', () => {
    expect(hashVectors.specVersion).toBe('1')
    expect(hashVectors.hashVersion).toBe(HASH_VERSION)
  })

  it.each(hashVectors.murmur3.map((v) => [JSON.stringify(v.input), v.input, v.hash] as const))(
    'murmur3(%s)',
    (_name, input, hash) => expect(murmur3(input)).toBe(hash),
  )

  it('equals a byte-wise reference over the UTF-8 encoding of any string', () => {
    const encoder = new TextEncoder()
    fc.assert(
      fc.property(anyUtf16, (text) => {
        return murmur3(text) === referenceMurmur3(encoder.encode(text))
      }),
    )
  })

  const imurmurhash = loadImurmurhash()
  const crossCheck = imurmurhash === undefined ? it.skip : it
  crossCheck('equals imurmurhash (flagd-core JS) on ASCII input', () => {
    const oracle = imurmurhash as ImurmurHash
    const ascii = hashVectors.murmur3.filter((v) => isAscii(v.input))
    expect(ascii.length).toBeGreaterThan(0)
    for (const { input } of ascii) expect(murmur3(input)).toBe(oracle(input).result())
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), (text) => {
        return murmur3(text) === oracle(text).result()
      }),
    )
  })
})

describe('bucketing vectors: bucketOf', () => {
  it.each(bucketingVectors.buckets.map((v) => [v.hash, v.total, v.bucket] as const))(
    'bucketOf(%i, %i)',
    (hash, total, bucket) => expect(bucketOf(hash, total)).toBe(bucket),
  )

  it('is exactly (hash * total) >> 32 for every uint32 hash and total up to 2^31-1', () => {
    const uint32 = fc.integer({ min: 0, max: 0xffffffff })
    const total = fc.integer({ min: 1, max: 0x7fffffff })
    fc.assert(
      fc.property(uint32, total, (h, t) => {
        return bucketOf(h, t) === Number((BigInt(h) * BigInt(t)) >> 32n)
      }),
    )
  })
})

describe('hash vectors: fractional (v2)', () => {
  const title = (v: FractionalVector): string =>
    `${v.flag}: ${JSON.stringify(v.bucketingValue)} -> ${v.variant}`

  it.each(hashVectors.fractional.map((v) => [title(v), v] as const))(
    'hashes and buckets %s',
    (_title, v) => {
      expect(murmur3(v.bucketingValue)).toBe(v.hash)
      expect(variantAt(v.buckets, bucketOf(v.hash, totalWeight(v.buckets)))).toBe(v.variant)
    },
  )

  it.each(hashVectors.fractional.map((v) => [title(v), v] as const))(
    'evaluates %s',
    (_title, v) => {
      const engine = createEngine({ clock: () => Date.UTC(2026, 0, 1) })
      engine.load(JSON.stringify(fractionalFlag(v)), { source: `${v.flag}.json` })
      const result = engine.evaluate(v.flag, 'caller-default', v.context)
      expect(result).toMatchObject({
        value: v.value,
        variant: v.variant,
        reason: 'TARGETING_MATCH',
      })
    },
  )
})

/** A one-flag document shaped like the testbed's, with a non-bucket default to expose misses. */
function fractionalFlag(v: FractionalVector): JsonObject {
  const buckets = v.buckets.map(([variant, weight]) => [variant, weight])
  return {
    flags: {
      [v.flag]: {
        state: 'ENABLED',
        variants: { ...v.variants, fallback: 'fallback' },
        defaultVariant: 'fallback',
        targeting: { fractional: v.bucketBy === null ? buckets : [v.bucketBy, ...buckets] },
      },
    },
  }
}

function totalWeight(buckets: FractionalVector['buckets']): number {
  return buckets.reduce((sum, [, weight]) => sum + weight, 0)
}

/** The first bucket whose cumulative weight is strictly greater than `bucket`. */
function variantAt(buckets: FractionalVector['buckets'], bucket: number): string | undefined {
  let cumulative = 0
  for (const [variant, weight] of buckets) {
    cumulative += weight
    if (cumulative > bucket) return variant
  }
  return undefined
}

function readVectors<T>(fileName: string): T {
  return JSON.parse(readFileSync(new URL(`./vectors/${fileName}`, import.meta.url), 'utf8')) as T
}

function isAscii(text: string): boolean {
  return [...text].every((char) => char.charCodeAt(0) < 0x80)
}

type ImurmurHash = (key: string) => { result(): number }

/** `imurmurhash` is a dependency of @openfeature/flagd-core, resolved from there (pnpm). */
function loadImurmurhash(): ImurmurHash | undefined {
  try {
    const fromHere = createRequire(import.meta.url)
    const fromFlagdCore = createRequire(fromHere.resolve('@openfeature/flagd-core'))
    return fromFlagdCore('imurmurhash') as ImurmurHash
  } catch (error) {
    console.warn(`imurmurhash not loadable, cross-check skipped: ${String(error)}`)
    return undefined
  }
}

/** A deliberately plain MurmurHash3 x86 32-bit (seed 0) over bytes, as the reference. */
function referenceMurmur3(bytes: Uint8Array): number {
  const mix = (k: number): number => Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593)
  const blocks = bytes.length - (bytes.length % 4)
  let h = 0
  for (let i = 0; i < blocks; i += 4) {
    const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
    h = (Math.imul(rotl(h ^ mix(k), 13), 5) + 0xe6546b64) | 0
  }
  let tail = 0
  for (let i = bytes.length - 1; i >= blocks; i--) tail = (tail << 8) | bytes[i]!
  if (bytes.length > blocks) h ^= mix(tail)
  h ^= bytes.length
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}
