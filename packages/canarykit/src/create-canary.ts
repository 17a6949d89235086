import { resolve } from 'node:path'
import { createEngine, FlagsError, type Logger, type OutcomeSink } from '@canarykit/core'
import {
  createMetricsRecorder,
  createRolloutGuard,
  type Alert,
  type AlertsOptions,
  type GuardTimers,
  type RolloutGuard,
} from '@canarykit/guard'
import { createCanaryRouter, type AnyToolCallback, type RouteOptions } from '@canarykit/mcp'
import { instrumentEngine } from '@canarykit/telemetry'
import { defaultAuditFile } from './audit-file.js'
import type { Canary, CanaryAlerts, CanaryOptions } from './canary-options.js'
import { startFlagsReload } from './flags-reload.js'
import { setUpMetrics } from './metrics-setup.js'
import { startRollout, type KnownRoute } from './start-rollout.js'

const CONSOLE_LOGGER: Logger = {
  warn: (message) => console.warn(`canarykit: ${message}`),
  error: (message) => console.error(`canarykit: ${message}`),
}

/** `checkIntervalMs: false`: a timer that never fires, so the guard only acts when told to. */
const NO_CHECKS: GuardTimers = { setInterval: () => undefined, clearInterval: () => undefined }

/**
 * Wires canarykit for an MCP server in one call: the core engine serving a hot-reloaded flagd
 * flags file (the last good version keeps serving), the MCP router that sends each session to a
 * tool implementation by flag and records every call, the rollout guard judging those outcomes
 * and rewriting the file stage by stage (or rolling back by itself), alerts, an audit log and
 * Prometheus metrics. Rejects with a `FlagsError` when the flags file cannot be loaded.
 *
 * @example
 * const canary = await createCanary({ flagsFile: 'flags.json', alerts: { webhook: process.env.SLACK_WEBHOOK } })
 * server.registerTool('search', config, canary.tool({ flag: 'search-v2', variants: { stable: v1, canary: v2 } }))
 * http.createServer(canary.metricsHandler).listen(9464)
 * await canary.rollout('search-v2') // 1 % → 10 % → 50 % → 100 %, or back to stable by itself
 */
export async function createCanary(options: CanaryOptions): Promise<Canary> {
  const { flagsFile: given } = options as Partial<CanaryOptions>
  if (typeof given !== 'string' || given === '') {
    throw new FlagsError('INVALID_ARGUMENT', 'createCanary: flagsFile must be a file path')
  }
  const flagsFile = resolve(given)
  const logger = options.logger ?? CONSOLE_LOGGER
  const auditFile =
    options.audit === false ? undefined : resolve(options.audit ?? defaultAuditFile(flagsFile))
  const { metrics, handler } = setUpMetrics(options.metrics, logger)
  const alerts = alertsOf(options.alerts, metrics)

  const engine = createEngine({ logger })
  const source = await startFlagsReload(engine, flagsFile, options.reload ?? {}, logger)
  const recorder = createMetricsRecorder()
  let guard: RolloutGuard
  try {
    guard = createRolloutGuard({
      file: flagsFile,
      engine,
      recorder,
      alerts,
      logger,
      ...(auditFile === undefined ? {} : { audit: { file: auditFile } }),
      ...(options.checkIntervalMs === undefined
        ? {}
        : options.checkIntervalMs === false
          ? { timers: NO_CHECKS }
          : { checkIntervalMs: options.checkIntervalMs }),
    })
  } catch (error) {
    await source.stop()
    throw error
  }

  const routing = options.routing ?? {}
  const sinks: OutcomeSink[] = [recorder, ...(metrics === undefined ? [] : [metrics])]
  const router = createCanaryRouter({
    ...routing,
    evaluator: metrics === undefined ? engine : instrumentEngine(engine, metrics, { logger }),
    sinks: sinks.concat(routing.sinks ?? []),
    logger: routing.logger ?? logger,
  })
  const routes = new Map<string, KnownRoute>()

  if (metrics !== undefined) {
    // The gauges start from the file; every later action arrives as an alert.
    await guard.status().then(
      (statuses) => statuses.forEach((status) => metrics.setRollout(status)),
      (error: unknown) => logger.warn?.(`reading the rollouts failed: ${String(error)}`),
    )
  }

  let closing: Promise<void> | undefined
  return {
    tool<F extends AnyToolCallback>(route: RouteOptions<F>): F {
      const callback = router.tool(route)
      const baseline = route.baseline ?? 'stable'
      routes.set(route.flag, { baseline, variants: Object.keys(route.variants) })
      return callback
    },
    rollout: (flagKey, rolloutOptions = {}) =>
      startRollout(
        { guard, engine, routes, plan: options.plan, criteria: options.criteria },
        flagKey,
        rolloutOptions,
      ),
    metricsHandler: handler,
    router,
    guard,
    engine,
    recorder,
    metrics,
    flagsFile,
    auditFile,
    close() {
      closing ??= (async () => {
        try {
          await guard.close()
        } finally {
          await source.stop()
        }
      })()
      return closing
    },
  }
}

/** The guard's alert options: the webhook (if any), the caller's callback, and the gauges. */
function alertsOf(
  alerts: CanaryAlerts | undefined,
  metrics: { recordDecision(alert: Alert): void } | undefined,
): AlertsOptions {
  const webhook = alerts?.webhook
  const onAlert = alerts?.onAlert
  return {
    onAlert: (alert) => {
      metrics?.recordDecision(alert)
      onAlert?.(alert)
    },
    ...(webhook === undefined || webhook === ''
      ? {}
      : { webhook: typeof webhook === 'string' ? { url: webhook } : webhook }),
  }
}
