import { FlagsError } from '@canarykit/core'

/** Histogram bucket bounds: finite, positive, strictly increasing, at least one. */
export function checkBuckets(buckets: readonly number[]): readonly number[] {
  // Array.isArray narrows a readonly array to any[]; test a copy's type instead.
  const copy: readonly number[] = Array.from(buckets ?? [])
  const valid =
    Array.isArray(buckets) &&
    buckets.length > 0 &&
    buckets.every(
      (b, i) =>
        typeof b === 'number' &&
        Number.isFinite(b) &&
        b > 0 &&
        (i === 0 || b > (buckets[i - 1] as number)),
    )
  if (!valid) {
    throw new FlagsError(
      'INVALID_CONFIG',
      `durationBuckets must be positive, finite and strictly increasing seconds, got ${JSON.stringify(buckets)}`,
    )
  }
  return Object.freeze(copy)
}

/** A positive integer bound on label combinations per metric. */
export function checkMaxSeries(max: number): number {
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new FlagsError(
      'INVALID_CONFIG',
      `maxSeriesPerMetric must be a positive integer, got ${String(max)}`,
    )
  }
  return max
}
