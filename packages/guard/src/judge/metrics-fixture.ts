import { LatencySketch } from '../metrics/latency-sketch.js'
import type {
  ClusterMoments,
  MetricsSnapshot,
  VariantMetrics,
} from '../metrics/metrics-snapshot.js'
import { LatencyModel } from '../simulator/latency-model.js'
import { Random } from '../simulator/random.js'

/** What a test says about a variant; the rest gets plausible defaults. */
export interface VariantSpec {
  readonly calls: number
  readonly errors?: number
  /** Default: every call has a verdict. */
  readonly successObserved?: number
  /** Default: 98 % of the verdicts. */
  readonly successes?: number
  /** Default: calls / 10. */
  readonly sessions?: number
  /** Log-normal latencies drawn for every call; `false` for none. Default p50 120, p99 400. */
  readonly latency?: { readonly p50: number; readonly p99: number } | false
  readonly errorMoments?: ClusterMoments
  readonly seed?: number
}

/**
 * Builds a variant's stage metrics for tests, deterministically.
 *
 * @internal
 */
export function variantMetrics(spec: VariantSpec): VariantMetrics {
  const latency = new LatencySketch()
  if (spec.latency !== false) {
    const { p50, p99 } = spec.latency ?? { p50: 120, p99: 400 }
    const model = new LatencyModel(p50, p99, Math.log(latency.gamma))
    const drawn = { histogram: new Int32Array(1 << model.table.bits), low: 0, high: 0 }
    new Random(spec.seed ?? 7).drawAlias(model.table, spec.calls, drawn)
    latency.addCounts(model.firstIndex, drawn.histogram)
  }
  const successObserved = spec.successObserved ?? spec.calls
  return {
    calls: spec.calls,
    errors: spec.errors ?? 0,
    successObserved,
    successes: spec.successes ?? Math.round(successObserved * 0.98),
    sessions: spec.sessions ?? Math.floor(spec.calls / 10),
    latency,
    ...(spec.errorMoments === undefined ? {} : { errorMoments: spec.errorMoments }),
  }
}

/**
 * A snapshot with variants `baseline` and `canary`.
 *
 * @internal
 */
export function snapshotOf(
  baseline: VariantSpec,
  canary: VariantSpec,
  extra: Partial<MetricsSnapshot> = {},
): MetricsSnapshot {
  return {
    flagKey: 'search',
    sessionsFrom: 'assigned',
    variants: {
      baseline: variantMetrics(baseline),
      canary: variantMetrics({ seed: 8, ...canary }),
    },
    ...extra,
  }
}
