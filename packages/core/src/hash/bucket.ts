/** 2^32: the hash range. */
const HASH_RANGE = 4294967296
/** Below this total, `hash * total` stays under 2^53 and double arithmetic is exact. */
const EXACT_TOTAL = 2097152

/**
 * flagd's "v2" bucket: `floor(hash * total / 2^32)`, exact for every total up to 2^31-1
 * (flagd computes it in 64-bit integers; here split in 16-bit halves to stay exact in doubles).
 */
export function bucketOf(hash: number, total: number): number {
  if (total < EXACT_TOTAL) return Math.floor((hash * total) / HASH_RANGE)
  const high = Math.floor(hash / 65536) * total
  const low = (hash % 65536) * total
  return Math.floor((high + Math.floor(low / 65536)) / 65536)
}

/** Which hash-to-bucket algorithm a percentage split uses (flagd's current one is `v2`). */
export const HASH_VERSION = 'flagd-fractional-v2'
