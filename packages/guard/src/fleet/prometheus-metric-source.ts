import { FlagsError } from '@canarykit/core'
import type { MetricsSnapshot, VariantMetrics } from '../metrics/metrics-snapshot.js'
import { bucketDistribution, type LatencyBucket } from './bucket-distribution.js'

/**
 * What a metric source answers: the judge's snapshot, or why there is none.
 *
 * @example
 * if (result.status === 'unavailable') console.warn(result.reason)
 */
export type MetricSourceResult =
  | {
      readonly status: 'ok'
      readonly snapshot: MetricsSnapshot
      /**
       * Replicas whose metrics are missing from `snapshot` because Prometheus fails to scrape
       * them (`instance (job)`): the evidence is incomplete.
       */
      readonly unscraped?: readonly string[]
      /**
       * When Prometheus last scraped the flag's series (ms; the oldest of their newest
       * samples): older than a scrape interval or two means stale evidence. Absent: no series.
       */
      readonly sampledAt?: number
    }
  | { readonly status: 'unavailable'; readonly reason: string }

/**
 * Evidence for one flag since its stage started, from wherever the fleet's metrics live.
 *
 * @example
 * const result = await source.read('new-search', state.stageStartedAt, Date.now())
 */
export interface MetricSource {
  read(flagKey: string, stageStartedAt: number, now: number): Promise<MetricSourceResult>
}

/**
 * Where Prometheus is and how canarykit's series are selected there.
 *
 * @example
 * prometheusMetricSource({ url: 'http://prometheus:9090', matchers: 'namespace="mcp"' })
 */
export interface PrometheusMetricSourceOptions {
  /** Base URL of the Prometheus server, e.g. `http://prometheus:9090`. */
  readonly url: string
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch
  /** Metric name prefix used by @canarykit/telemetry. Default `canarykit_`. */
  readonly prefix?: string
  /** Extra label matchers added to every selector, e.g. `job="mcp"`. */
  readonly matchers?: string
  /** Per-request timeout. Default 5000 ms. */
  readonly timeoutMs?: number
  /**
   * The `up` series checked for replicas Prometheus fails to scrape. Default `up` (with
   * `matchers`). Only targets that exported the flag's `tool_calls_total` in the last hour
   * count, so other services' targets never block a rollout. `false`: no check.
   */
  readonly upSelector?: string | false
}

interface Sample {
  readonly metric: Readonly<Record<string, string>>
  readonly value: readonly [number, string]
}

/**
 * Reads a flag's per-variant evidence from Prometheus: `increase()` over the window since the
 * stage started, summed over every replica. Never throws: errors become `unavailable`.
 *
 * @example
 * const source = prometheusMetricSource({ url: 'http://127.0.0.1:9090' })
 * const result = await source.read('new-search', state.stageStartedAt, Date.now())
 */
export function prometheusMetricSource(options: PrometheusMetricSourceOptions): MetricSource {
  let base: URL
  try {
    base = new URL('/api/v1/query', options.url)
  } catch (cause) {
    throw new FlagsError('INVALID_CONFIG', `invalid Prometheus URL: ${options.url}`, { cause })
  }
  const doFetch = options.fetch ?? fetch
  const prefix = options.prefix ?? 'canarykit_'
  const timeoutMs = options.timeoutMs ?? 5000
  const upSelector = options.upSelector ?? (options.matchers ? `up{${options.matchers}}` : 'up')

  const query = async (promql: string, now: number): Promise<readonly Sample[]> => {
    const url = new URL(base)
    url.searchParams.set('query', promql)
    url.searchParams.set('time', String(now / 1000))
    const response = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    const body = (await response.json()) as {
      status?: string
      error?: string
      data?: { resultType?: string; result?: Sample[] }
    }
    if (!response.ok || body.status !== 'success' || body.data?.resultType !== 'vector') {
      throw new Error(`Prometheus answered ${response.status}: ${body.error ?? 'not a vector'}`)
    }
    return body.data.result ?? []
  }

  return {
    async read(flagKey, stageStartedAt, now) {
      // A range shorter than a second is rejected; increase() extrapolates, so counts are rounded.
      const range = `${Math.max(1, Math.ceil((now - stageStartedAt) / 1000))}s`
      const sel = (extra = ''): string =>
        `{flag=${JSON.stringify(flagKey)}${extra}${options.matchers ? `,${options.matchers}` : ''}}`
      const inc = (metric: string, extra = '', by = 'variant'): string =>
        `sum by (${by}) (increase(${prefix}${metric}${sel(extra)}[${range}]))`
      // Targets failing their scrapes now, among those that served this flag in the last hour.
      const down =
        upSelector === false
          ? undefined
          : `${upSelector} == 0 and on (job, instance) group by (job, instance) (last_over_time(${prefix}tool_calls_total${sel()}[1h]))`
      try {
        const [calls, errors, failures, sessions, buckets, unscraped, newest] = await Promise.all([
          query(inc('tool_calls_total'), now),
          query(inc('tool_calls_total', ',outcome="error"'), now),
          query(inc('tool_calls_total', ',outcome="failure"'), now),
          query(inc('sessions_assigned_total'), now),
          query(inc('tool_call_duration_seconds_bucket', '', 'le, variant'), now),
          down === undefined ? [] : query(down, now),
          // timestamp() of a selector is its newest sample: after a restart or a stuck scrape
          // loop Prometheus still answers, with old samples.
          query(`min(timestamp(${prefix}tool_calls_total${sel()}))`, now),
        ])
        // No series in the window (no traffic yet, a stage seconds old) is a small sample, not
        // an outage: the judge holds for more data.
        const snapshot = build(flagKey, stageStartedAt, {
          calls,
          errors,
          failures,
          sessions,
          buckets,
        })
        const sampled = Number(newest[0]?.value[1]) * 1000
        return {
          status: 'ok',
          snapshot,
          ...(unscraped.length > 0 && { unscraped: unscraped.map(targetName) }),
          ...(Number.isFinite(sampled) && { sampledAt: sampled }),
        }
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error)
        return { status: 'unavailable', reason: `Prometheus unavailable: ${why}` }
      }
    },
  }
}

/** `127.0.0.1:9464 (mcp)`: the target as Prometheus names it. */
function targetName(s: Sample): string {
  const instance = s.metric['instance'] ?? 'unknown instance'
  const job = s.metric['job']
  return job === undefined ? instance : `${instance} (${job})`
}

interface Results {
  readonly calls: readonly Sample[]
  readonly errors: readonly Sample[]
  readonly failures: readonly Sample[]
  readonly sessions: readonly Sample[]
  readonly buckets: readonly Sample[]
}

const count = (s: Sample): number => {
  const n = Math.round(Number(s.value[1]))
  return Number.isFinite(n) && n > 0 ? n : 0
}

function byVariant(samples: readonly Sample[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const s of samples) out.set(s.metric['variant'] ?? '', count(s))
  return out
}

function build(flagKey: string, stage: number, r: Results): MetricsSnapshot {
  const errors = byVariant(r.errors)
  const failures = byVariant(r.failures)
  const sessions = byVariant(r.sessions)
  // Buckets are cumulative per `le`; turn them into per-bucket counts (ms) per variant.
  const cumulative = new Map<string, { upper: number; total: number }[]>()
  for (const s of r.buckets) {
    const variant = s.metric['variant'] ?? ''
    const le = s.metric['le'] === '+Inf' ? Infinity : Number(s.metric['le']) * 1000
    if (Number.isNaN(le)) continue
    const list = cumulative.get(variant) ?? []
    list.push({ upper: le, total: count(s) })
    cumulative.set(variant, list)
  }
  const variants: Record<string, VariantMetrics> = {}
  for (const [variant, calls] of byVariant(r.calls)) {
    if (variant === '') continue // no variant resolved: not evidence for either side
    const list = (cumulative.get(variant) ?? []).sort((a, b) => a.upper - b.upper)
    const buckets: LatencyBucket[] = []
    let previous = 0
    for (const b of list) {
      // increase() extrapolates each series separately: keep the cumulative counts monotone.
      const total = Math.max(previous, b.total)
      buckets.push({ upper: b.upper, count: total - previous })
      previous = total
    }
    const errorCount = Math.min(calls, errors.get(variant) ?? 0)
    const failed = failures.get(variant) ?? 0
    variants[variant] = {
      calls,
      errors: errorCount,
      // Every settled call carries a verdict: ok, error or failure (the router's outcome label).
      successObserved: calls,
      successes: Math.max(0, calls - errorCount - failed),
      sessions: sessions.get(variant) ?? 0,
      latency: bucketDistribution(buckets),
    }
  }
  return { flagKey, stage, sessionsFrom: 'assigned', variants }
}
