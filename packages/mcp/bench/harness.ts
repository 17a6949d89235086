/**
 * The timing loop of router.bench.ts: peers run batches of awaited operations, sized to about
 * `batchMs` each, in interleaved rounds with a rotating start.
 */

/** A timed peer: runs `n` operations and resolves when done. */
export type Batch = (n: number) => Promise<void>

export interface Peer {
  readonly name: string
  readonly batch: Batch
  /** Operations per batch, calibrated to about `batchMs`. */
  size: number
  readonly samples: number[]
}

async function timeBatch(peer: Peer): Promise<number> {
  const start = process.hrtime.bigint()
  await peer.batch(peer.size)
  return Number(process.hrtime.bigint() - start) / peer.size
}

/**
 * Warms every peer up in alternation (so no peer finds the JIT tuned to it alone: the first
 * peer warmed by itself measured ~5 µs faster per SDK call than an identical second one), sizes
 * each peer's batch to about `batchMs` from its fastest trial, then times `rounds` rounds in
 * which every peer runs one batch, the starting peer rotating.
 */
export async function measure(
  peers: Peer[],
  options: MeasureOptions,
  log: (l: string) => void,
): Promise<void> {
  const trial = async (peer: Peer, n: number): Promise<number> => {
    const start = process.hrtime.bigint()
    await peer.batch(n)
    return Number(process.hrtime.bigint() - start) / n
  }
  const best = new Map<Peer, number>()
  for (let n = 16; n <= 4096; n *= 4) {
    for (const peer of peers)
      best.set(peer, Math.min(best.get(peer) ?? Infinity, await trial(peer, n)))
  }
  for (let warm = 0; warm < 3; warm++) {
    for (const peer of peers) {
      const nsPerOp = best.get(peer) as number
      const n = Math.max(16, Math.round((options.batchMs * 1e6) / nsPerOp))
      best.set(peer, Math.min(nsPerOp, await trial(peer, n)))
    }
  }
  for (const peer of peers) {
    peer.size = Math.max(16, Math.round((options.batchMs * 1e6) / (best.get(peer) as number)))
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < peers.length; k++) {
      const peer = peers[(round + k) % peers.length] as Peer
      peer.samples.push(await timeBatch(peer))
    }
    if ((round + 1) % 10 === 0) log(`round ${round + 1}/${options.rounds}`)
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

export interface MeasureOptions {
  readonly rounds: number
  readonly batchMs: number
}
