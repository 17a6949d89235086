/**
 * The timing loop of router.bench.ts: peers run batches of awaited operations, sized to about
 * `batchMs` each, in many short rounds, each round in a fresh random order.
 */

/** A timed peer: runs `n` operations and resolves when done. */
export type Batch = (n: number) => Promise<void>

export interface Peer {
  readonly name: string
  readonly batch: Batch
  /** Operations per batch, calibrated to about `batchMs`. */
  size: number
  /** ns per operation, one per round, in round order (so peers pair up round by round). */
  readonly samples: number[]
}

export interface MeasureOptions {
  readonly rounds: number
  readonly batchMs: number
  /** Seeds the per-round order, so a run can be repeated exactly. */
  readonly seed: number
}

async function nsPerOp(peer: Peer, n: number): Promise<number> {
  const start = process.hrtime.bigint()
  await peer.batch(n)
  return Number(process.hrtime.bigint() - start) / n
}

/**
 * Warms every peer up in alternation (so no peer finds the JIT tuned to it alone: the first
 * peer warmed by itself measured ~5 µs faster per SDK call than an identical second one), sizes
 * each peer's batch to about `batchMs` from its fastest trial, then times `rounds` rounds in
 * which every peer runs one batch. Each round has its own random order: with a fixed rotation
 * a peer always follows the same peer and pays for that peer's garbage (a pass-through
 * interceptor measured +0.8 µs behind an allocating peer, +0.03 µs in a shuffled order).
 */
export async function measure(
  peers: Peer[],
  options: MeasureOptions,
  log: (l: string) => void,
): Promise<void> {
  const best = new Map<Peer, number>()
  for (let n = 16; n <= 1024; n *= 4) {
    for (const peer of peers)
      best.set(peer, Math.min(best.get(peer) ?? Infinity, await nsPerOp(peer, n)))
  }
  for (let warm = 0; warm < 3; warm++) {
    for (const peer of peers) {
      const ns = best.get(peer) as number
      const n = Math.max(16, Math.round((options.batchMs * 1e6) / ns))
      best.set(peer, Math.min(ns, await nsPerOp(peer, n)))
    }
  }
  for (const peer of peers) {
    peer.size = Math.max(16, Math.round((options.batchMs * 1e6) / (best.get(peer) as number)))
  }
  const random = mulberry32(options.seed)
  const order = [...peers]
  for (let round = 0; round < options.rounds; round++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j] as Peer, order[i] as Peer]
    }
    for (const peer of order) peer.samples.push(await nsPerOp(peer, peer.size))
    if ((round + 1) % 50 === 0) log(`round ${round + 1}/${options.rounds}`)
  }
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The q-quantile (0..1) of the samples, nearest rank. */
export const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** Round-by-round differences `a − b` (both peers ran once in every round). */
export const paired = (a: readonly number[], b: readonly number[]): number[] =>
  a.map((x, i) => x - (b[i] as number))
