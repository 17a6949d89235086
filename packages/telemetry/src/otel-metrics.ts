import type { Logger } from '@canarykit/core'
import type { Attributes, Meter } from '@opentelemetry/api'
import {
  createMetricRecorder,
  onePerLabelSet,
  type CounterCell,
  type MetricBackend,
} from './metric-recorder.js'
import { DEFAULT_DURATION_BUCKETS, DEFAULT_MAX_SERIES, type MetricSpec } from './metric-specs.js'
import { loadOtelApi } from './optional-peer.js'
import type { TelemetryRecorder } from './types.js'
import { checkBuckets, checkMaxSeries } from './validate-options.js'

/**
 * Options for {@link createOtelMetrics}.
 *
 * @example
 * createOtelMetrics({ meter: meterProvider.getMeter('mcp-server'), durationBuckets: [0.1, 1, 10] })
 */
export interface OtelMetricsOptions {
  /** Default: `metrics.getMeter('@canarykit/telemetry')` from the global meter provider. */
  readonly meter?: Meter
  /** Prepended to every instrument name. Default `canarykit.`. */
  readonly prefix?: string
  /** Tool-call duration buckets in seconds, passed as advice. Default {@link DEFAULT_DURATION_BUCKETS}. */
  readonly durationBuckets?: readonly number[]
  /** Attribute combinations per instrument before new ones are folded into `other`. Default 500. */
  readonly maxSeriesPerMetric?: number
  /** Warned once per instrument when folding starts. Default: silent. */
  readonly logger?: Logger
}

/**
 * The same counters, histogram and gauges as {@link createPrometheusMetrics}, through an
 * OpenTelemetry `Meter`, for users without Prometheus. Instrument names (`canarykit.tool.calls`,
 * unit `{call}`…) translate to the Prometheus names under the OTel→Prometheus naming rules,
 * and the attribute keys are the Prometheus label names. Recording never throws.
 *
 * @example
 * const otel = createOtelMetrics({ meter: meterProvider.getMeter('mcp-server') })
 * const router = createCanaryRouter({ evaluator: instrumentEngine(engine, otel), sinks: [otel] })
 */
export function createOtelMetrics(options: OtelMetricsOptions = {}): TelemetryRecorder {
  const buckets = checkBuckets(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS)
  const maxSeries = checkMaxSeries(options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES)
  const api = loadOtelApi()
  const meter = options.meter ?? api.metrics.getMeter('@canarykit/telemetry')
  const prefix = options.prefix ?? 'canarykit.'
  const { INT, DOUBLE } = api.ValueType
  const name = (spec: MetricSpec): string => prefix + spec.otel
  const backend: MetricBackend = {
    counter(spec) {
      // An asynchronous counter reporting the running totals when the SDK collects: the hot
      // path only adds.
      const cells: { readonly cell: CounterCell; readonly attributes: Attributes }[] = []
      meter
        .createObservableCounter(name(spec), {
          description: spec.help,
          unit: spec.unit,
          valueType: INT,
        })
        .addCallback((result) => {
          for (const { cell, attributes } of cells) result.observe(cell.value, attributes)
        })
      return onePerLabelSet((values) => {
        const cell: CounterCell = { value: 0 }
        cells.push({ cell, attributes: attributesOf(spec, values) })
        return cell
      })
    },
    histogram(spec, bounds) {
      const histogram = meter.createHistogram(name(spec), {
        description: spec.help,
        unit: spec.unit,
        valueType: DOUBLE,
        advice: { explicitBucketBoundaries: [...bounds] },
      })
      return (values) => {
        const attributes = attributesOf(spec, values)
        return { observe: (value) => histogram.record(value, attributes) }
      }
    },
    gauge(spec) {
      const gauge = meter.createGauge(name(spec), {
        description: spec.help,
        unit: spec.unit,
        valueType: DOUBLE,
      })
      return (values) => {
        const attributes = attributesOf(spec, values)
        return { set: (value) => gauge.record(value, attributes) }
      }
    },
  }
  return createMetricRecorder(backend, { buckets, maxSeries, logger: options.logger ?? {} })
}

function attributesOf(spec: MetricSpec, values: readonly string[]): Attributes {
  const attributes: Attributes = {}
  spec.labels.forEach((label, i) => {
    attributes[label] = values[i]
  })
  return Object.freeze(attributes)
}
