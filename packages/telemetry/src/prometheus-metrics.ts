import { FlagsError, type Logger } from '@canarykit/core'
import type { Registry } from 'prom-client'
import {
  createMetricRecorder,
  onePerLabelSet,
  type CounterCell,
  type MetricBackend,
} from './metric-recorder.js'
import {
  DEFAULT_DURATION_BUCKETS,
  DEFAULT_MAX_SERIES,
  METRICS,
  type MetricSpec,
} from './metric-specs.js'
import { metricsHandler, type MetricsHandler } from './metrics-handler.js'
import { loadPromClient, type PromClient } from './optional-peer.js'
import type { TelemetryRecorder } from './types.js'
import { checkBuckets, checkMaxSeries } from './validate-options.js'

/**
 * Options for {@link createPrometheusMetrics}.
 *
 * @example
 * createPrometheusMetrics({ registry, prefix: 'canarykit_', defaultLabels: { service: 'docs' } })
 */
export interface PrometheusMetricsOptions {
  /** Where the metrics are registered. Default: a new `Registry` (never prom-client's global). */
  readonly registry?: Registry
  /** Prepended to every metric name. Default `canarykit_` (the Grafana dashboard expects it). */
  readonly prefix?: string
  /** Constant labels added to canarykit's metrics only (e.g. `{ service: 'search' }`). */
  readonly defaultLabels?: Readonly<Record<string, string>>
  /** Tool-call duration buckets in seconds. Default {@link DEFAULT_DURATION_BUCKETS}. */
  readonly durationBuckets?: readonly number[]
  /** Label combinations per metric before new ones are folded into `other`. Default 500. */
  readonly maxSeriesPerMetric?: number
  /** Warned once per metric when folding starts. Default: silent. */
  readonly logger?: Logger
}

/**
 * canarykit's metrics in a prom-client registry, with a `/metrics` handler.
 *
 * @example
 * const metrics = createPrometheusMetrics()
 * console.log(await metrics.registry.metrics())
 */
export interface PrometheusMetrics extends TelemetryRecorder {
  readonly registry: Registry
  /** Serves `registry` in the text exposition format: `createServer(metrics.handler)`. */
  readonly handler: MetricsHandler
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/**
 * Creates canarykit's Prometheus metrics: an outcome sink for the MCP router, an evaluation
 * recorder (via `instrumentEngine` or `openFeatureHook`), the guard's rollout state, and a
 * `/metrics` handler. Throws `FlagsError` `INVALID_CONFIG` on bad options, on a name already
 * registered in the registry, or without prom-client installed; recording never throws.
 *
 * @example
 * const metrics = createPrometheusMetrics({ defaultLabels: { service: 'docs' } })
 * const router = createCanaryRouter({ evaluator: instrumentEngine(engine, metrics), sinks: [metrics] })
 * createServer(metrics.handler).listen(9464, '127.0.0.1')
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const prefix = options.prefix ?? 'canarykit_'
  if (prefix !== '' && !METRIC_NAME.test(prefix)) {
    throw new FlagsError(
      'INVALID_CONFIG',
      `prefix ${JSON.stringify(prefix)} is not a valid metric name prefix`,
    )
  }
  const defaults = checkDefaultLabels(options.defaultLabels ?? {})
  const buckets = checkBuckets(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS)
  const maxSeries = checkMaxSeries(options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES)
  const client = loadPromClient()
  const registry = options.registry ?? new client.Registry()
  const registered: string[] = []
  try {
    const backend = promBackend(client, registry, prefix, defaults, registered)
    const logger = options.logger ?? {}
    const recorder = createMetricRecorder(backend, { buckets, maxSeries, logger })
    return { ...recorder, registry, handler: metricsHandler(registry) }
  } catch (error) {
    // Leave the registry as it was: a retry with another prefix must not collide with halves.
    for (const name of registered) registry.removeSingleMetric(name)
    throw error
  }
}

function promBackend(
  client: PromClient,
  registry: Registry,
  prefix: string,
  defaults: Readonly<Record<string, string>>,
  registered: string[],
): MetricBackend {
  const extraNames = Object.keys(defaults)
  const extraValues = Object.values(defaults)
  const config = (spec: MetricSpec) => ({
    name: prefix + spec.prom,
    help: spec.help,
    labelNames: [...spec.labels, ...extraNames],
    registers: [registry],
  })
  function register<M>(spec: MetricSpec, make: () => M): M {
    try {
      const metric = make()
      registered.push(prefix + spec.prom)
      return metric
    } catch (error) {
      throw new FlagsError(
        'INVALID_CONFIG',
        `cannot register ${prefix + spec.prom}: ${error instanceof Error ? error.message : String(error)} (pass a new Registry, or another prefix)`,
        { cause: error },
      )
    }
  }
  return {
    counter(spec) {
      // Totals are handed to prom-client when the registry is collected (a scrape), through
      // prom-client's own collect hook: the hot path only adds.
      const cells: {
        readonly cell: CounterCell
        flushed: number
        readonly inc: (n: number) => void
      }[] = []
      const counter = register(
        spec,
        () =>
          new client.Counter({
            ...config(spec),
            collect() {
              for (const entry of cells) {
                const delta = entry.cell.value - entry.flushed
                if (delta > 0) {
                  entry.inc(delta)
                  entry.flushed += delta
                }
              }
            },
          }),
      )
      return onePerLabelSet((values) => {
        const child = counter.labels(...values, ...extraValues)
        child.inc(0)
        const cell: CounterCell = { value: 0 }
        cells.push({ cell, flushed: 0, inc: (n) => child.inc(n) })
        return cell
      })
    },
    histogram(spec, buckets) {
      const histogram = register(
        spec,
        () => new client.Histogram({ ...config(spec), buckets: [...buckets] }),
      )
      return (values) => histogram.labels(...values, ...extraValues)
    },
    gauge(spec) {
      const gauge = register(spec, () => new client.Gauge(config(spec)))
      return (values) => gauge.labels(...values, ...extraValues)
    },
  }
}

function checkDefaultLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const ours = new Set<string>(Object.values(METRICS).flatMap((spec) => spec.labels))
  for (const [name, value] of Object.entries(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || ours.has(name)) {
      throw new FlagsError(
        'INVALID_CONFIG',
        `defaultLabels: ${JSON.stringify(name)} is not a valid label name, or is one canarykit uses (${[...ours].join(', ')})`,
      )
    }
    if (typeof value !== 'string') {
      throw new FlagsError('INVALID_CONFIG', `defaultLabels.${name} must be a string`)
    }
  }
  return { ...labels }
}
