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

/** Slots a table starts with; it doubles (up to its maximum) as sessions arrive. */
const INITIAL_SLOTS = 256
/** Slots per set: a session lives in one of the 4 slots of the set its hash selects. */
const WAYS = 4

/**
 * Per-session counters in a 4-way set-associative table of typed arrays (no allocation per
 * call). When a new session finds its set full, the least recently seen session there is
 * evicted — usually one that has ended. Its contribution stays in the sums; only a session that
 * comes back after eviction is split in two, which understates correlation, and the judge never
 * lets the variance fall below the independent-calls variance. The table starts small and
 * doubles while more sessions than a quarter of its slots have started, up to `maxSlots`.
 */
export class SessionTable {
  /** Sessions started in the table (distinct keys, unless one was evicted and came back). */
  sessions = 0
  private readonly maxSlots: number
  private mask: number
  private clock = 0
  private hashes: Uint32Array
  private seen: Uint32Array
  private calls: Uint32Array
  private errors: Uint32Array
  private observed: Uint32Array
  private successes: Uint32Array

  constructor(maxSlots: number) {
    this.maxSlots = Math.max(maxSlots, WAYS)
    const slots = Math.min(INITIAL_SLOTS, this.maxSlots)
    this.mask = slots - 1
    this.hashes = new Uint32Array(slots)
    this.seen = new Uint32Array(slots)
    this.calls = new Uint32Array(slots)
    this.errors = new Uint32Array(slots)
    this.observed = new Uint32Array(slots)
    this.successes = new Uint32Array(slots)
  }

  /** Slots allocated now (24 bytes each). */
  get slots(): number {
    return this.mask + 1
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
    let slot = this.find(hash)
    if (slot < 0) {
      this.sessions++
      errorSums.clusters++
      if (this.sessions > this.slots / 4 && this.slots < this.maxSlots) this.grow()
      slot = this.claim(hash)
    }
    this.seen[slot] = ++this.clock
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

  /** The slot holding `hash`, or -1. */
  private find(hash: number): number {
    const set = hash & this.mask & ~(WAYS - 1)
    for (let slot = set; slot < set + WAYS; slot++) if (this.hashes[slot] === hash) return slot
    return -1
  }

  /** A slot for a new session: an empty one of its set, else the least recently seen. */
  private claim(hash: number): number {
    const set = hash & this.mask & ~(WAYS - 1)
    let victim = set
    for (let slot = set; slot < set + WAYS; slot++) {
      if (this.hashes[slot] === 0) {
        victim = slot
        break
      }
      if ((this.seen[slot] ?? 0) < (this.seen[victim] ?? 0)) victim = slot
    }
    this.hashes[victim] = hash
    this.calls[victim] = 0
    this.errors[victim] = 0
    this.observed[victim] = 0
    this.successes[victim] = 0
    return victim
  }

  /** Doubles the table: each old set splits into two new ones, so nothing is evicted. */
  private grow(): void {
    const old = {
      hashes: this.hashes,
      seen: this.seen,
      calls: this.calls,
      errors: this.errors,
      observed: this.observed,
      successes: this.successes,
    }
    const slots = this.slots * 2
    this.mask = slots - 1
    this.hashes = new Uint32Array(slots)
    this.seen = new Uint32Array(slots)
    this.calls = new Uint32Array(slots)
    this.errors = new Uint32Array(slots)
    this.observed = new Uint32Array(slots)
    this.successes = new Uint32Array(slots)
    for (let i = 0; i < old.hashes.length; i++) {
      const hash = old.hashes[i] ?? 0
      if (hash === 0) continue
      const slot = this.claim(hash)
      this.seen[slot] = old.seen[i] ?? 0
      this.calls[slot] = old.calls[i] ?? 0
      this.errors[slot] = old.errors[i] ?? 0
      this.observed[slot] = old.observed[i] ?? 0
      this.successes[slot] = old.successes[i] ?? 0
    }
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
