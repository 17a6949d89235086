/** Mutable per-session sums (see `ClusterMoments`). */
export interface MomentSums {
  clusters: number
  sumYY: number
  sumYM: number
  sumMM: number
}

export function emptyMoments(): MomentSums {
  return { clusters: 0, sumYY: 0, sumYM: 0, sumMM: 0 }
}

/**
 * Adds one trial (with or without an event) to a session that already had `y` events in `m`
 * trials: the change of y², y·m and m² when (y, m) becomes (y + e, m + 1).
 */
export function addTrial(sums: MomentSums, y: number, m: number, event: boolean): void {
  sums.sumMM += 2 * m + 1
  if (event) {
    sums.sumYM += y + m + 1
    sums.sumYY += 2 * y + 1
  } else {
    sums.sumYM += y
  }
}

/**
 * Per-session counters in a fixed direct-mapped table (typed arrays, no allocation per call): a
 * session's slot is its key's hash; a different session landing on a taken slot replaces it and
 * counts as a new cluster. The sums already hold the replaced session's contribution, so a
 * collision only splits a session in two, which understates correlation — the judge never lets
 * the variance fall below the independent-calls variance, so the effect is bounded.
 */
export class SessionTable {
  readonly slots: number
  /** Sessions started in the table (distinct keys, up to collisions). */
  sessions = 0
  private readonly mask: number
  private readonly hashes: Uint32Array
  private readonly calls: Uint32Array
  private readonly errors: Uint32Array
  private readonly observed: Uint32Array
  private readonly successes: Uint32Array

  constructor(slots: number) {
    this.slots = slots
    this.mask = slots - 1
    this.hashes = new Uint32Array(slots)
    this.calls = new Uint32Array(slots)
    this.errors = new Uint32Array(slots)
    this.observed = new Uint32Array(slots)
    this.successes = new Uint32Array(slots)
  }

  /** Records one call of session `key` into the error and success sums. */
  record(
    key: string,
    error: boolean,
    verdict: boolean | undefined,
    errorSums: MomentSums,
    successSums: MomentSums,
  ): void {
    const hash = hashKey(key)
    const slot = hash & this.mask
    if (this.hashes[slot] !== hash) {
      this.hashes[slot] = hash
      this.calls[slot] = 0
      this.errors[slot] = 0
      this.observed[slot] = 0
      this.successes[slot] = 0
      this.sessions++
      errorSums.clusters++
    }
    const calls = this.calls[slot] ?? 0
    const errors = this.errors[slot] ?? 0
    addTrial(errorSums, errors, calls, error)
    this.calls[slot] = calls + 1
    if (error) this.errors[slot] = errors + 1
    if (verdict === undefined) return
    const observed = this.observed[slot] ?? 0
    const successes = this.successes[slot] ?? 0
    if (observed === 0) successSums.clusters++
    addTrial(successSums, successes, observed, verdict)
    this.observed[slot] = observed + 1
    if (verdict) this.successes[slot] = successes + 1
  }

  clear(): void {
    this.hashes.fill(0)
    this.sessions = 0
  }
}

/** FNV-1a over UTF-16 code units, then murmur3's finaliser; never 0 (0 marks an empty slot). */
function hashKey(key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0 || 1
}
