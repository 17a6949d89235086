import { FlagsError, type Assignment, type Outcome, type OutcomeSink } from '@canarykit/core'
import { LatencySketch, type LatencySketchOptions } from './latency-sketch.js'
import type { MetricsSnapshot, StageKey, VariantMetrics } from './metrics-snapshot.js'
import { SessionTable, addTrial, emptyMoments, type MomentSums } from './session-table.js'

export interface MetricsRecorderOptions {
  /** Flags tracked at most; outcomes of further flags are dropped (and counted). Default 100. */
  readonly maxFlags?: number
  /** Variants tracked per flag at most. Default 8. */
  readonly maxVariantsPerFlag?: number
  /** Most slots of each variant's per-session table (it grows from 256), a power of two. Default 4096. */
  readonly sessionSlots?: number
  /** Accuracy and bucket bound of the latency sketches. Default 1 %, 2048 buckets. */
  readonly latency?: LatencySketchOptions
}

/** What the recorder holds, for the memory bound and for dashboards. */
export interface RecorderFootprint {
  readonly flags: number
  readonly variants: number
  /** Latency buckets allocated over all sketches (8 bytes each). */
  readonly sketchBuckets: number
  /** Session-table slots allocated over all variants (24 bytes each). */
  readonly sessionSlots: number
  /** Outcomes and assignments dropped because a cap was reached. */
  readonly dropped: number
  /** Outcomes and assignments served through an override, not counted. */
  readonly overridden: number
  /** An upper estimate of the bytes the recorder holds. */
  readonly bytes: number
}

/**
 * The guard's outcome sink: per flag × variant counters, a latency sketch and per-session sums
 * for the current stage. Recording is O(1), never throws and allocates nothing per call (only
 * when a sketch or session table grows, or a new flag or variant appears). A variant holds at
 * most ~16 KB of sketch and ~96 KB of session table, whatever the traffic.
 */
export interface MetricsRecorder extends OutcomeSink {
  assigned(assignment: Assignment): void
  record(outcome: Outcome): void
  /** Starts fresh evidence for `flagKey` (use the rollout's `stageStartedAt` as the key). */
  startStage(flagKey: string, stage: StageKey): void
  /** The evidence so far; empty when `stage` is given and is not the current stage. */
  snapshot(flagKey: string, stage?: StageKey): MetricsSnapshot
  footprint(): RecorderFootprint
}

/** Bytes charged per flag and per variant for objects and map entries (generous). */
const FLAG_OVERHEAD = 512
const VARIANT_OVERHEAD = 1024
const SLOT_BYTES = 24

class VariantCell {
  calls = 0
  errors = 0
  successObserved = 0
  successes = 0
  assignments = 0
  readonly latency: LatencySketch
  readonly errorSums: MomentSums = emptyMoments()
  readonly successSums: MomentSums = emptyMoments()
  table: SessionTable | undefined

  constructor(latency: LatencySketchOptions) {
    this.latency = new LatencySketch(latency)
  }

  reset(): void {
    this.calls = this.errors = this.successObserved = this.successes = this.assignments = 0
    this.latency.clear()
    Object.assign(this.errorSums, emptyMoments())
    Object.assign(this.successSums, emptyMoments())
    this.table?.clear()
  }
}

class FlagEvidence {
  stage: StageKey | undefined
  assignmentsSeen = false
  readonly variants = new Map<string, VariantCell>()
}

/**
 * Creates the in-process metrics recorder: plug it in as the MCP router's (or the provider's)
 * outcome sink, and hand its snapshots to the judge.
 *
 * @example
 * const recorder = createMetricsRecorder()
 * recorder.startStage('new-search', state.stageStartedAt)
 * recorder.record({ flagKey: 'new-search', variant: 'v2', operation: 'search', latencyMs: 42, error: false, overridden: false })
 * const metrics = recorder.snapshot('new-search', state.stageStartedAt)
 */
export function createMetricsRecorder(options: MetricsRecorderOptions = {}): MetricsRecorder {
  const maxFlags = options.maxFlags ?? 100
  const maxVariants = options.maxVariantsPerFlag ?? 8
  const slots = options.sessionSlots ?? 4096
  const latencyOptions = options.latency ?? {}
  if (!(Number.isInteger(slots) && slots > 0 && (slots & (slots - 1)) === 0)) {
    throw new FlagsError('INVALID_ARGUMENT', `sessionSlots must be a power of two, got ${slots}`)
  }
  new LatencySketch(latencyOptions) // validates the sketch options up front
  const flags = new Map<string, FlagEvidence>()
  let dropped = 0
  let overridden = 0

  function flagFor(flagKey: string): FlagEvidence | undefined {
    let flag = flags.get(flagKey)
    if (flag === undefined) {
      if (flags.size >= maxFlags) return undefined
      flag = new FlagEvidence()
      flags.set(flagKey, flag)
    }
    return flag
  }

  function cellFor(flagKey: string, variant: string): VariantCell | undefined {
    const flag = flagFor(flagKey)
    let cell = flag?.variants.get(variant)
    if (cell === undefined && flag !== undefined && flag.variants.size < maxVariants) {
      cell = new VariantCell(latencyOptions)
      flag.variants.set(variant, cell)
    }
    return cell
  }

  return {
    assigned(assignment) {
      try {
        if (assignment.overridden) {
          overridden++
          return
        }
        const cell = cellFor(assignment.flagKey, assignment.variant)
        if (cell === undefined) {
          dropped++
          return
        }
        cell.assignments++
        const flag = flags.get(assignment.flagKey)
        if (flag !== undefined) flag.assignmentsSeen = true
      } catch {
        dropped++
      }
    },

    record(outcome) {
      try {
        if (outcome.overridden) {
          overridden++
          return
        }
        const cell = cellFor(outcome.flagKey, outcome.variant)
        if (cell === undefined) {
          dropped++
          return
        }
        const error = outcome.error === true
        const verdict = typeof outcome.success === 'boolean' ? outcome.success : undefined
        cell.calls++
        if (error) cell.errors++
        if (verdict !== undefined) {
          cell.successObserved++
          if (verdict) cell.successes++
        }
        if (typeof outcome.latencyMs === 'number') cell.latency.add(outcome.latencyMs)
        const key = outcome.unitKey
        if (typeof key === 'string' && key !== '') {
          cell.table ??= new SessionTable(slots)
          cell.table.record(key, error, verdict, cell.errorSums, cell.successSums)
        } else {
          // Without a session key every call is its own cluster.
          cell.errorSums.clusters++
          addTrial(cell.errorSums, 0, 0, error)
          if (verdict !== undefined) {
            cell.successSums.clusters++
            addTrial(cell.successSums, 0, 0, verdict)
          }
        }
      } catch {
        dropped++
      }
    },

    startStage(flagKey, stage) {
      const flag = flagFor(flagKey)
      if (flag === undefined) return
      flag.stage = stage
      for (const cell of flag.variants.values()) cell.reset()
    },

    snapshot(flagKey, stage) {
      const flag = flags.get(flagKey)
      const current = flag !== undefined && (stage === undefined || flag.stage === stage)
      const variants: Record<string, VariantMetrics> = {}
      if (current) {
        for (const [name, cell] of flag.variants) variants[name] = snapshotOf(cell, flag)
      }
      const at = stage ?? flag?.stage
      return {
        flagKey,
        ...(at === undefined ? {} : { stage: at }),
        sessionsFrom: flag?.assignmentsSeen === false ? 'outcomes' : 'assigned',
        variants,
      }
    },

    footprint() {
      let variants = 0
      let sketchBuckets = 0
      let sessionSlots = 0
      for (const flag of flags.values()) {
        for (const cell of flag.variants.values()) {
          variants++
          sketchBuckets += cell.latency.bucketCapacity
          sessionSlots += cell.table?.slots ?? 0
        }
      }
      const bytes =
        flags.size * FLAG_OVERHEAD +
        variants * VARIANT_OVERHEAD +
        sketchBuckets * 8 +
        sessionSlots * SLOT_BYTES
      return {
        flags: flags.size,
        variants,
        sketchBuckets,
        sessionSlots,
        dropped,
        overridden,
        bytes,
      }
    },
  }
}

function snapshotOf(cell: VariantCell, flag: FlagEvidence): VariantMetrics {
  return {
    calls: cell.calls,
    errors: cell.errors,
    successObserved: cell.successObserved,
    successes: cell.successes,
    sessions: flag.assignmentsSeen ? cell.assignments : (cell.table?.sessions ?? 0),
    latency: cell.latency.clone(),
    errorMoments: { ...cell.errorSums },
    successMoments: { ...cell.successSums },
  }
}
