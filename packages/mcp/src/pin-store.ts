import { FlagsError } from '@canarykit/core'

/** The variant a session was served for one flag, and the rollback epoch it was served under. */
export interface Pin {
  readonly variant: string
  /** The flag's `canarykit.pinEpoch` metadata when pinned; a different epoch voids the pin. */
  readonly epoch: string | number | boolean | undefined
}

/**
 * Sticky assignments, bounded in sessions and idle time. Shared by the tools of a router.
 *
 * @example
 * router.pins.get(sessionId, 'search-v2') // { variant: 'canary', epoch: 3 }
 */
export interface PinStore {
  /**
   * The session's pin for a flag; reading refreshes the session's recency and idle timer.
   * `now`, here and in `set`, is optional: a reading of the store's own clock that the caller
   * already took (the router passes its own when the store uses the same clock).
   */
  get(unitKey: string, flagKey: string, now?: number): Pin | undefined
  set(unitKey: string, flagKey: string, pin: Pin, now?: number): void
  /** Forgets every pin of a session (call it when the session closes). True if it had any. */
  release(unitKey: string): boolean
  /** Number of sessions held (at most `maxSessions`). */
  readonly size: number
  clear(): void
}

/** Options for {@link createPinStore}. */
export interface PinStoreOptions {
  /** Sessions kept; the least recently used one is dropped beyond it. Default 100,000. */
  readonly maxSessions?: number
  /** A session idle for longer is forgotten. Default 1 hour. */
  readonly ttlMs?: number
  /** Monotonic milliseconds. Default `performance.now`. */
  readonly clock?: () => number
}

/** A session in the recency list (a circular doubly linked list around a sentinel). */
interface Entry {
  readonly key: string
  readonly pins: Map<string, Pin>
  touchedAt: number
  prev: Entry
  next: Entry
}

const DEFAULT_MAX_SESSIONS = 100_000
const DEFAULT_TTL_MS = 60 * 60 * 1000

/**
 * An LRU + idle-TTL map of session → flag → pin. Memory is bounded by `maxSessions` × the
 * number of routed flags, whatever the traffic. No timers: expired sessions are dropped as
 * they are met and from the old end whenever a pin is added.
 *
 * @example
 * const pins = createPinStore({ maxSessions: 50_000, ttlMs: 30 * 60_000 })
 * const router = createCanaryRouter({ evaluator: engine, pins })
 */
export function createPinStore(options: PinStoreOptions = {}): PinStore {
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS
  const clock = options.clock ?? (() => performance.now())
  if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) {
    throw new FlagsError(
      'INVALID_CONFIG',
      `maxSessions must be a positive integer, got ${maxSessions}`,
    )
  }
  if (!(ttlMs > 0)) {
    throw new FlagsError('INVALID_CONFIG', `ttlMs must be a positive number, got ${ttlMs}`)
  }
  // Exact LRU: a Map for lookup plus a linked list for order, so every operation is O(1)
  // (evicting from the front of a Map's insertion order degrades with the holes it leaves).
  const sessions = new Map<string, Entry>()
  const head = { key: '' } as Entry
  head.prev = head.next = head

  function unlink(entry: Entry): void {
    entry.prev.next = entry.next
    entry.next.prev = entry.prev
  }

  function append(entry: Entry): void {
    entry.prev = head.prev
    entry.next = head
    head.prev.next = entry
    head.prev = entry
  }

  function drop(entry: Entry): void {
    unlink(entry)
    sessions.delete(entry.key)
  }

  function live(unitKey: string, now: number): Entry | undefined {
    const entry = sessions.get(unitKey)
    if (entry === undefined) return undefined
    if (now - entry.touchedAt > ttlMs) {
      drop(entry)
      return undefined
    }
    entry.touchedAt = now
    if (entry.next !== head) {
      // Not already the most recent (a session calling again and again is).
      unlink(entry)
      append(entry)
    }
    return entry
  }

  /** Drops from the least recent end: beyond the bound, or idle for too long. */
  function evict(now: number): void {
    let oldest = head.next
    while (oldest !== head && (sessions.size > maxSessions || now - oldest.touchedAt > ttlMs)) {
      drop(oldest)
      oldest = head.next
    }
  }

  return {
    get: (unitKey, flagKey, now = clock()) => live(unitKey, now)?.pins.get(flagKey),
    set(unitKey, flagKey, pin, now = clock()) {
      const entry = live(unitKey, now)
      if (entry !== undefined) {
        entry.pins.set(flagKey, pin)
        return
      }
      const created = {
        key: unitKey,
        pins: new Map<string, Pin>().set(flagKey, pin),
        touchedAt: now,
      } as Entry
      sessions.set(unitKey, created)
      append(created)
      evict(now)
    },
    release(unitKey) {
      const entry = sessions.get(unitKey)
      if (entry !== undefined) drop(entry)
      return entry !== undefined
    },
    get size() {
      return sessions.size
    },
    clear() {
      sessions.clear()
      head.prev = head.next = head
    },
  }
}
