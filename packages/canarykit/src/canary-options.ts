import type { Engine, Logger } from '@canarykit/core'
import type {
  Alert,
  Criteria,
  MetricsRecorder,
  Plan,
  RolloutGuard,
  RolloutStatus,
  WebhookOptions,
} from '@canarykit/guard'
import type {
  AnyToolCallback,
  CanaryRouter,
  CanaryRouterOptions,
  RouteOptions,
} from '@canarykit/mcp'
import type { FileSourceOptions } from '@canarykit/openfeature'
import type {
  MetricsHandler,
  PrometheusMetrics,
  PrometheusMetricsOptions,
} from '@canarykit/telemetry'

/**
 * Where the guard's alerts go. Every alert also updates the Prometheus rollout gauges.
 *
 * @example
 * const alerts: CanaryAlerts = { webhook: process.env.SLACK_WEBHOOK, onAlert: (a) => console.log(a.text) }
 */
export interface CanaryAlerts {
  /**
   * A Slack-compatible incoming-webhook URL, or the full webhook options. `undefined` or `''`
   * (an unset environment variable) means no webhook.
   */
  readonly webhook?: string | (WebhookOptions & { readonly minLevel?: Alert['level'] }) | undefined
  /** Called synchronously with every alert; exceptions are logged and ignored. */
  readonly onAlert?: ((alert: Alert) => void) | undefined
}

/**
 * Options for `createCanary`. Only `flagsFile` is required.
 *
 * @example
 * const options: CanaryOptions = { flagsFile: 'flags.json', alerts: { webhook: process.env.SLACK_WEBHOOK } }
 */
export interface CanaryOptions {
  /** The flagd flags file: loaded at start, hot-reloaded, and rewritten by the guard. */
  readonly flagsFile: string
  readonly alerts?: CanaryAlerts
  /**
   * The JSONL audit log of every rollout action. Default: beside the flags file, with its name
   * (`flags.json` → `flags.audit.jsonl`). `false`: none.
   */
  readonly audit?: string | false
  /** The plan `rollout()` starts with. Default: 1 % for 10 min → 10 % for 30 → 50 % for 60 → 100 %. */
  readonly plan?: Plan
  /** The criteria `rollout()` starts with. Default: the guard's (p99 +10 %, errors +0.5 pp, …). */
  readonly criteria?: Criteria
  /**
   * How often the guard judges every running rollout. Default 5000 ms. `false`: this process
   * never judges — a replica in fleet mode, where one standalone `canarykit guard` judges the
   * fleet's Prometheus metrics and is the only automatic writer of the file. It still serves,
   * records, exports metrics and hot-reloads the guard's decisions; `guard`'s manual commands
   * still work.
   */
  readonly checkIntervalMs?: number | false
  /**
   * Prometheus metrics (`prom-client` ^15, an optional peer). Default: on, in a new registry,
   * when prom-client is installed. `false`: off.
   */
  readonly metrics?: PrometheusMetricsOptions | false
  /**
   * More router options: session keys, targeting context, the override header, interceptors
   * (e.g. tracing), extra sinks. The evaluator is the canary's engine.
   */
  readonly routing?: Omit<CanaryRouterOptions, 'evaluator'>
  /** Hot-reload tuning of the flags file (debounce, fallback poll). */
  readonly reload?: FileSourceOptions
  /** Default: `console.warn` / `console.error`, prefixed `canarykit:`. */
  readonly logger?: Logger
}

/**
 * Options for `canary.rollout()`. Everything has a default.
 *
 * @example
 * await canary.rollout('search-v2', { canary: 'canary', actor: 'ci', reason: 'release 2.4.0' })
 */
export interface RolloutOptions {
  /** Default: the route's baseline (`canary.tool`), else the flag's `defaultVariant`. */
  readonly baseline?: string
  /** Default: the one other variant of the route (or of the flag). */
  readonly canary?: string
  /** Default: `CanaryOptions.plan`, else the guard's default plan. */
  readonly plan?: Plan
  /** Default: `CanaryOptions.criteria`, else the guard's default criteria. */
  readonly criteria?: Criteria
  /** Recorded in the flags file and the audit log. Default `canarykit`. */
  readonly actor?: string
  /** Recorded with the start. Default: `release of <canary>`. */
  readonly reason?: string
}

/**
 * Everything `createCanary` wired, sharing one engine, one flags file and one outcome stream.
 *
 * @example
 * const canary = await createCanary({ flagsFile: 'flags.json' })
 * server.registerTool('search', config, canary.tool({ flag: 'search-v2', variants: { stable: v1, canary: v2 } }))
 * await canary.rollout('search-v2')
 */
export interface Canary {
  /**
   * A `registerTool` callback that routes each call to one of `variants` by the flag, sticky per
   * MCP session. Register it on every per-session `McpServer`.
   */
  tool<F extends AnyToolCallback>(options: RouteOptions<F>): F
  /**
   * Starts a guarded rollout of `flagKey` — unless the flags file already records one for it
   * (running, paused, completed or rolled back), whose status is returned unchanged. Safe to
   * call at every start-up; a new release takes a new flag (or `guard.start`).
   */
  rollout(flagKey: string, options?: RolloutOptions): Promise<RolloutStatus>
  /** A node:http handler serving the Prometheus metrics (503 when metrics are off). */
  readonly metricsHandler: MetricsHandler
  /** The router behind `tool()`: prompts, resources, `releaseSession`. */
  readonly router: CanaryRouter
  /** The rollout guard: `start`, `promote`, `rollback`, `pause`, `resume`, `status`. */
  readonly guard: RolloutGuard
  /** The evaluation engine serving the flags file (with the guard's kill switch). */
  readonly engine: Engine
  /** The evidence the guard judges, per flag, variant and stage. */
  readonly recorder: MetricsRecorder
  /** The Prometheus metrics, when on. */
  readonly metrics: PrometheusMetrics | undefined
  /** Absolute paths of the flags file and the audit log (`undefined`: none). */
  readonly flagsFile: string
  readonly auditFile: string | undefined
  /** Stops the guard (flushing alerts and audit records, bounded) and the file watcher. Idempotent. */
  close(): Promise<void>
}
