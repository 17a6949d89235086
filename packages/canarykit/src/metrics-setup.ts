import { createRequire } from 'node:module'
import type { Logger } from '@canarykit/core'
import {
  createPrometheusMetrics,
  type MetricsHandler,
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
} from '@canarykit/telemetry'

/** The metrics `createCanary` serves, or why there are none. */
export interface MetricsSetup {
  readonly metrics: PrometheusMetrics | undefined
  readonly handler: MetricsHandler
}

/**
 * Prometheus metrics by default when prom-client is installed. Asked for explicitly (options
 * given) without prom-client, the telemetry package's `FlagsError` is thrown; by default, metrics
 * are simply off and the handler says how to turn them on.
 *
 * @internal
 */
export function setUpMetrics(
  options: PrometheusMetricsOptions | false | undefined,
  logger: Logger,
): MetricsSetup {
  if (options === false) return { metrics: undefined, handler: unavailable('metrics: false') }
  if (options === undefined && !promClientInstalled()) {
    return {
      metrics: undefined,
      handler: unavailable('prom-client is not installed (npm i prom-client)'),
    }
  }
  const metrics = createPrometheusMetrics({ logger, ...options })
  return { metrics, handler: metrics.handler }
}

function promClientInstalled(): boolean {
  try {
    // Resolved from here, like @canarykit/telemetry resolves it: both sit in the app's tree.
    createRequire(import.meta.url).resolve('prom-client')
    return true
  } catch {
    return false
  }
}

function unavailable(why: string): MetricsHandler {
  return (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(`canarykit: Prometheus metrics are off: ${why}\n`)
  }
}
