/**
 * The timing loop. Each (case, peer) pair gets its own loop compiled with `new Function`, so its
 * call site stays monomorphic; a batch is a whole number of rotations over the contexts, timed
 * with `process.hrtime.bigint()`; peers take turns round-robin and the starting peer rotates.
 * No forced GC (see docs/performance.md).
 */

/** Runs `rotations` passes over the contexts; returns how many results were "on" (the sink). */
export type Loop = (rotations: number) => number

export interface LoopSpec {
  /** One call per context, with `target`, `key`, `defaultValue` and `ctx` in scope. */
  readonly call: string
  readonly target: unknown
  readonly key: string
  readonly defaultValue: unknown
  /** A result equal to this counts as "on". */
  readonly onValue: unknown
  readonly contexts: readonly unknown[]
}

/**
 * Compiles a fresh loop for one peer; `spec.call` is an expression such as
 * `target.evaluate(key, defaultValue, ctx).value`.
 */
export function compileLoop(spec: LoopSpec): Loop {
  const body = `'use strict'
return function benchLoop(rotations) {
  const n = contexts.length
  let on = 0
  for (let r = 0; r < rotations; r++) {
    for (let i = 0; i < n; i++) {
      const ctx = contexts[i]
      if ((${spec.call}) === onValue) on++
    }
  }
  return on
}`
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- one fresh call site per peer
  const factory = new Function('target', 'key', 'defaultValue', 'onValue', 'contexts', body) as (
    ...args: unknown[]
  ) => Loop
  return factory(spec.target, spec.key, spec.defaultValue, spec.onValue, spec.contexts)
}

export interface Entry {
  readonly caseName: string
  readonly peer: string
  readonly loop: Loop
  /** "on" results per rotation, checked after every batch. */
  readonly onPerRotation: number
  readonly opsPerRotation: number
}

export interface HarnessOptions {
  readonly rounds: number
  readonly batchMs: number
  /** Minimum warm-up, in batch lengths, before anything is timed. */
  readonly warmupBatches: number
  readonly log: (line: string) => void
}

export interface Measured {
  readonly entry: Entry
  /** ns/op of each timed batch, in round order. */
  readonly samples: readonly number[]
  readonly rotationsPerBatch: number
}

/** Everything the loops returned; printed at the end so the JIT cannot drop any call. */
let sink = 0
export const sinkValue = (): number => sink

function timeBatch(entry: Entry, rotations: number): number {
  const start = process.hrtime.bigint()
  const on = entry.loop(rotations)
  const elapsed = Number(process.hrtime.bigint() - start)
  sink += on
  if (on !== rotations * entry.onPerRotation) {
    throw new Error(
      `${entry.caseName}/${entry.peer}: ${on} "on" results in ${rotations} rotations, expected ${rotations * entry.onPerRotation}`,
    )
  }
  return elapsed
}

/** Rotations that fill about `batchMs`, from timing growing batches (these calls also warm up). */
function calibrate(entry: Entry, batchMs: number): number {
  const targetNs = batchMs * 1e6
  let rotations = 1
  for (;;) {
    const elapsed = timeBatch(entry, rotations)
    if (elapsed >= targetNs / 8 || rotations >= 1 << 24) {
      return Math.max(1, Math.round((rotations * targetNs) / Math.max(elapsed, 1)))
    }
    rotations *= 2
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * Warms up and sizes every entry, then runs `rounds` interleaved rounds: each round times one
 * batch per entry, starting one entry later than the previous round.
 */
export function measure(entries: readonly Entry[], options: HarnessOptions): Measured[] {
  const { batchMs, rounds, warmupBatches, log } = options
  const sizes: number[] = []
  for (const entry of entries) {
    let rotations = calibrate(entry, batchMs)
    for (let i = 0; i < warmupBatches; i++) timeBatch(entry, rotations)
    // Re-size after warm-up: optimised code is faster than what the first calibration saw.
    const elapsed = timeBatch(entry, rotations)
    rotations = Math.max(1, Math.round((rotations * batchMs * 1e6) / Math.max(elapsed, 1)))
    sizes.push(rotations)
    log(
      `  warmed ${entry.caseName} / ${entry.peer}: ${rotations * entry.opsPerRotation} ops per batch`,
    )
  }
  const samples: number[][] = entries.map(() => [])
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < entries.length; k++) {
      const index = (round + k) % entries.length
      const entry = entries[index] as Entry
      const rotations = sizes[index] as number
      const elapsed = timeBatch(entry, rotations)
      ;(samples[index] as number[]).push(elapsed / (rotations * entry.opsPerRotation))
    }
    log(`  round ${round + 1}/${rounds} done`)
  }
  return entries.map((entry, i) => ({
    entry,
    samples: samples[i] as number[],
    rotationsPerBatch: sizes[i] as number,
  }))
}
