import { FlagsError, type Assignment, type Outcome, type OutcomeSink } from '@canarykit/core'

/** Latency of one flag × variant: count and mean over all calls; the rest over the last `latencyWindow`. */
export interface LatencySummary {
  readonly count: number
  readonly meanMs: number
  readonly minMs: number
  readonly maxMs: number
  readonly p50Ms: number
  readonly p99Ms: number
}

/** What an {@link OutcomeRecorder} saw for one flag × variant. */
export interface VariantStats {
  readonly flagKey: string
  readonly variant: string
  /** Calls, not counting overridden ones (those are counted in `overridden` only). */
  readonly calls: number
  readonly errors: number
  /** Calls whose success predicate said yes. */
  readonly successes: number
  /** Calls that carried a success verdict (yes or no). */
  readonly judged: number
  /** Calls forced by the override header: kept apart, as the guard keeps them out of statistics. */
  readonly overridden: number
  /** Sessions assigned to this variant. */
  readonly sessions: number
  readonly latency: LatencySummary
}

/**
 * An in-memory {@link OutcomeSink} with per flag × variant counters, for tests and demos.
 *
 * @example
 * const { calls, errors, latency } = recorder.get('search-v2', 'canary') ?? {}
 */
export interface OutcomeRecorder extends OutcomeSink {
  assigned(assignment: Assignment): void
  /** One entry per flag × variant seen, in first-seen order. */
  stats(): VariantStats[]
  /** The stats of one flag × variant, or `undefined` if it saw nothing. */
  get(flagKey: string, variant: string): VariantStats | undefined
  reset(): void
}

/** Options for {@link createOutcomeRecorder}. */
export interface OutcomeRecorderOptions {
  /** Latencies kept per flag × variant for the percentiles. Default 1024. */
  readonly latencyWindow?: number
}

interface Cell {
  calls: number
  errors: number
  successes: number
  judged: number
  overridden: number
  sessions: number
  latencySum: number
  latencyCount: number
  readonly window: Float64Array
  /** Next write position in `window`; the window is full once `latencyCount` reaches its size. */
  next: number
}

/**
 * Creates an in-memory outcome recorder: counts, errors, success verdicts, sessions and a
 * bounded latency window per flag × variant. Memory is bounded by the variants seen.
 *
 * @example
 * const recorder = createOutcomeRecorder()
 * const router = createCanaryRouter({ evaluator: engine, sinks: recorder })
 * // ... later
 * console.table(recorder.stats())
 */
export function createOutcomeRecorder(options: OutcomeRecorderOptions = {}): OutcomeRecorder {
  const size = options.latencyWindow ?? 1024
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new FlagsError('INVALID_CONFIG', `latencyWindow must be a positive integer, got ${size}`)
  }
  const flags = new Map<string, Map<string, Cell>>()

  function cell(flagKey: string, variant: string): Cell {
    let variants = flags.get(flagKey)
    if (variants === undefined) flags.set(flagKey, (variants = new Map<string, Cell>()))
    let found = variants.get(variant)
    if (found === undefined) variants.set(variant, (found = emptyCell(size)))
    return found
  }

  return {
    record(outcome: Outcome) {
      const c = cell(outcome.flagKey, outcome.variant)
      if (outcome.overridden) {
        c.overridden++
        return
      }
      c.calls++
      if (outcome.error) c.errors++
      if (outcome.success !== undefined) {
        c.judged++
        if (outcome.success) c.successes++
      }
      const latency = outcome.latencyMs
      if (latency !== undefined) {
        c.latencySum += latency
        c.latencyCount++
        c.window[c.next] = latency
        c.next = c.next + 1 === size ? 0 : c.next + 1
      }
    },
    assigned(assignment: Assignment) {
      if (!assignment.overridden) cell(assignment.flagKey, assignment.variant).sessions++
    },
    stats: () =>
      [...flags].flatMap(([flagKey, variants]) =>
        [...variants].map(([variant, c]) => summarize(flagKey, variant, c)),
      ),
    get(flagKey, variant) {
      const c = flags.get(flagKey)?.get(variant)
      return c === undefined ? undefined : summarize(flagKey, variant, c)
    },
    reset: () => flags.clear(),
  }
}

function emptyCell(size: number): Cell {
  return {
    calls: 0,
    errors: 0,
    successes: 0,
    judged: 0,
    overridden: 0,
    sessions: 0,
    latencySum: 0,
    latencyCount: 0,
    window: new Float64Array(size),
    next: 0,
  }
}

function summarize(flagKey: string, variant: string, c: Cell): VariantStats {
  const kept = c.window.slice(0, Math.min(c.latencyCount, c.window.length)).sort()
  const at = (q: number): number =>
    kept.length === 0 ? 0 : (kept[Math.min(kept.length - 1, Math.ceil(q * kept.length) - 1)] ?? 0)
  const { calls, errors, successes, judged, overridden, sessions } = c
  return {
    flagKey,
    variant,
    calls,
    errors,
    successes,
    judged,
    overridden,
    sessions,
    latency: {
      count: c.latencyCount,
      meanMs: c.latencyCount === 0 ? 0 : c.latencySum / c.latencyCount,
      minMs: kept[0] ?? 0,
      maxMs: kept[kept.length - 1] ?? 0,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    },
  }
}
