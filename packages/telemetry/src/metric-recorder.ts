import type { Assignment, Logger, Outcome } from '@canarykit/core'
import {
  KNOWN_CRITERIA,
  KNOWN_DECISIONS,
  KNOWN_PHASES,
  METRICS,
  type MetricSpec,
} from './metric-specs.js'
import { SeriesCache } from './series-cache.js'
import type {
  DecisionRecord,
  EvaluationRecord,
  RolloutSnapshot,
  TelemetryRecorder,
} from './types.js'

/**
 * One counter series: a running total the hot path increments. The backend exports the
 * totals when its metrics are collected (a Prometheus scrape, an OTel export), so counting
 * costs an addition, not a trip through the metrics library.
 */
export interface CounterCell {
  value: number
}

/** One histogram series. */
export interface HistogramSeries {
  observe(value: number): void
}

/** One gauge series. */
export interface GaugeSeries {
  set(value: number): void
}

/**
 * Creates instruments; each returns a factory of series by label values (in spec order). A new
 * counter series is exported from its creation on, at 0.
 */
export interface MetricBackend {
  counter(spec: MetricSpec): (values: readonly string[]) => CounterCell
  histogram(
    spec: MetricSpec,
    buckets: readonly number[],
  ): (values: readonly string[]) => HistogramSeries
  gauge(spec: MetricSpec): (values: readonly string[]) => GaugeSeries
}

/**
 * One counter cell per distinct label set, even when the recorder asks twice (e.g. reasons
 * `STATIC` and `static`, or two values both folded into `other`). Runs at series creation only.
 */
export function onePerLabelSet(
  create: (values: readonly string[]) => CounterCell,
): (values: readonly string[]) => CounterCell {
  const cells = new Map<string, CounterCell>()
  return (values) => {
    const key = values.join('\u0000')
    let cell = cells.get(key)
    if (cell === undefined) {
      cell = create(values)
      cells.set(key, cell)
    }
    return cell
  }
}

export interface MetricRecorderOptions {
  readonly buckets: readonly number[]
  readonly maxSeries: number
  readonly logger: Logger
}

interface ToolSeries {
  readonly ok: CounterCell
  readonly error: CounterCell
  readonly failure: CounterCell
  readonly duration: HistogramSeries
}

interface FlagRollout {
  readonly ratio: GaugeSeries
  readonly stage: GaugeSeries
  /** The phase series of this flag seen so far; exactly one is set to 1. */
  readonly phases: Map<string, GaugeSeries>
}

type RolloutFields = {
  readonly [K in 'percentage' | 'stage' | 'phase']?: RolloutSnapshot[K] | undefined
}

/** Unknown phases join a flag's state set, a few at most. */
const MAX_PHASES_PER_FLAG = 8

/**
 * The recording logic both backends share: outcome classification, series limits, zero
 * initialisation, the phase state set. Every entry point swallows its own failures: telemetry
 * must never break a tool call or an evaluation.
 */
export function createMetricRecorder(
  backend: MetricBackend,
  options: MetricRecorderOptions,
): TelemetryRecorder {
  const { maxSeries, logger } = options
  const cache = <T>(spec: MetricSpec, create: (values: readonly string[]) => T): SeriesCache<T> =>
    new SeriesCache(maxSeries, create, () =>
      logger.warn?.(
        `canarykit telemetry: ${spec.prom} reached ${maxSeries} label combinations; new ones are counted under "other"`,
      ),
    )
  const failed = (what: string, error: unknown): void =>
    logger.warn?.(`canarykit telemetry: ${what} failed: ${String(error)}`)

  const evaluationCounter = backend.counter(METRICS.evaluations)
  const evaluations = cache(METRICS.evaluations, ([flag, variant, reason]) =>
    evaluationCounter([flag as string, variant as string, (reason as string).toLowerCase()]),
  )

  const callCounter = backend.counter(METRICS.toolCalls)
  const durationHistogram = backend.histogram(METRICS.toolDuration, options.buckets)
  // Keyed by (tool, flag, variant): all three outcomes exist from a variant's first call, so
  // every variant has an error rate and rate() sees the first error.
  const tools = cache(METRICS.toolCalls, (labels): ToolSeries => {
    const [tool, flag, variant] = labels as [string, string, string]
    return {
      ok: callCounter([tool, flag, variant, 'ok']),
      error: callCounter([tool, flag, variant, 'error']),
      failure: callCounter([tool, flag, variant, 'failure']),
      duration: durationHistogram([tool, flag, variant]),
    }
  })

  const sessions = cache(METRICS.sessions, backend.counter(METRICS.sessions))
  const decisions = cache(METRICS.decisions, backend.counter(METRICS.decisions))
  const rollbacks = cache(METRICS.rollbacks, backend.counter(METRICS.rollbacks))
  const phases = cache(METRICS.rolloutPhase, backend.gauge(METRICS.rolloutPhase))
  const ratioGauge = backend.gauge(METRICS.rolloutRatio)
  const stageGauge = backend.gauge(METRICS.rolloutStage)
  // A flag's guard series are created together, when the flag is first seen, so the first
  // decision and rollback are increases from 0 and the phase state set is complete.
  const rollouts = cache(METRICS.rolloutRatio, ([flag]): FlagRollout => {
    const key = flag as string
    const rollout: FlagRollout = {
      ratio: ratioGauge([key]),
      stage: stageGauge([key]),
      phases: new Map(),
    }
    for (const phase of KNOWN_PHASES) rollout.phases.set(phase, phases.get2(key, phase))
    for (const kind of KNOWN_DECISIONS) decisions.get2(key, kind)
    for (const criterion of KNOWN_CRITERIA) rollbacks.get2(key, criterion)
    return rollout
  })

  /** Applies whichever of percentage, stage and phase are present. */
  function update(flagKey: string, state: RolloutFields): void {
    const rollout = rollouts.get1(flagKey)
    const { percentage, stage, phase } = state
    if (typeof percentage === 'number' && Number.isFinite(percentage)) {
      rollout.ratio.set(Math.min(100, Math.max(0, percentage)) / 100)
    }
    if (typeof stage === 'number' && Number.isFinite(stage)) rollout.stage.set(stage)
    if (typeof phase === 'string') {
      if (!rollout.phases.has(phase) && rollout.phases.size < MAX_PHASES_PER_FLAG) {
        rollout.phases.set(phase, phases.get2(flagKey, phase))
      }
      for (const [name, series] of rollout.phases) series.set(name === phase ? 1 : 0)
    }
  }

  return {
    record(outcome: Outcome) {
      try {
        const series = tools.get3(outcome.operation, outcome.flagKey, outcome.variant)
        if (outcome.error) series.error.value++
        else if (outcome.success === false) series.failure.value++
        else series.ok.value++
        const ms = outcome.latencyMs
        if (ms !== undefined && ms >= 0 && ms !== Number.POSITIVE_INFINITY) {
          series.duration.observe(ms / 1000)
        }
      } catch (error) {
        failed('record', error)
      }
    },
    assigned(assignment: Assignment) {
      try {
        // Sessions forced by a test header are not part of the split.
        if (!assignment.overridden) sessions.get2(assignment.flagKey, assignment.variant).value++
      } catch (error) {
        failed('assigned', error)
      }
    },
    recordEvaluation(e: EvaluationRecord) {
      try {
        evaluations.get3(e.flagKey, e.variant ?? '', e.reason).value++
      } catch (error) {
        failed('recordEvaluation', error)
      }
    },
    setRollout(state: RolloutSnapshot) {
      try {
        if (typeof state.flagKey === 'string') update(state.flagKey, state)
      } catch (error) {
        failed('setRollout', error)
      }
    },
    recordDecision(d: DecisionRecord) {
      try {
        const { flagKey } = d
        if (typeof flagKey !== 'string') return
        update(flagKey, d)
        decisions.get2(flagKey, d.kind).value++
        if (d.kind === 'rollback') rollbacks.get2(flagKey, d.criterion ?? 'none').value++
      } catch (error) {
        failed('recordDecision', error)
      }
    },
  }
}
