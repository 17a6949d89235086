import type { Clock, Logger } from '@canarykit/core'
import type { MetricsRecorder } from '../metrics/metrics-recorder.js'
import type { WriteHooks } from '../persistence/atomic-update.js'
import type { Criteria, Plan } from '../types.js'
import type { AlertsOptions } from './alert-dispatcher.js'
import type { RolloutLogic } from './rollout-logic.js'
import type { RolloutStatus } from './rollout-status.js'

/**
 * What the guard acts on in process: the kill switch (`override`) and, when present, `load` to
 * serve each rewritten flags file at once. A core `Engine` fits as it is.
 *
 * @example
 * createRolloutGuard({ file: 'flags.json', engine: createEngine(), recorder })
 */
export interface GuardEngine {
  override(flagKey: string, variant: string | null): void
  clearOverride?(flagKey: string): void
  load?(document: string, options?: { source?: string }): unknown
}

/**
 * The timer the guard checks on (injectable, so tests drive ticks by hand).
 *
 * @example
 * timers: { setInterval: (fn) => { tick = fn; return 1 }, clearInterval: () => undefined }
 */
export interface GuardTimers {
  readonly setInterval: (callback: () => void, ms: number) => unknown
  readonly clearInterval: (handle: unknown) => void
}

/**
 * Options for `createRolloutGuard`.
 *
 * @example
 * createRolloutGuard({ file: 'flags.json', engine, recorder, checkIntervalMs: 5000, audit: { file: 'rollouts.jsonl' } })
 */
export interface RolloutGuardOptions {
  /** The flagd flags file that holds the flags and the `canarykit.rollouts` section. */
  readonly file: string
  /** The outcome sink whose evidence is judged (also plug it into the MCP router). */
  readonly recorder?: MetricsRecorder
  /** The judge and stage machine. Default: the package's own over `recorder` (one is required). */
  readonly logic?: RolloutLogic
  /** Receives the kill switch; reloaded with every file the guard writes. */
  readonly engine?: GuardEngine
  /** Milliseconds since the epoch. Default `Date.now`. */
  readonly clock?: Clock
  readonly timers?: GuardTimers
  /** How often every running rollout is judged. Default 5000. */
  readonly checkIntervalMs?: number
  readonly alerts?: AlertsOptions
  /** Append-only JSONL log of every action, automatic or manual. */
  readonly audit?: { readonly file: string }
  readonly logger?: Logger
  /** Bound on `close()` waiting for alerts and audit writes. Default 2000. */
  readonly closeTimeoutMs?: number
  /** @internal Test seam around flags-file writes. */
  readonly writeHooks?: WriteHooks
}

/**
 * Who asks for a manual action, and why: both are recorded.
 *
 * @example
 * await guard.pause('new-search', { actor: 'alice', reason: 'INC-42: checking logs' })
 */
export interface ManualOptions {
  readonly actor: string
  readonly reason: string
}

/**
 * Options for `guard.start`.
 *
 * @example
 * await guard.start('new-search', { baseline: 'stable', canary: 'canary', plan: { stages: [{ percentage: 5, minDurationS: 300 }, { percentage: 100 }] }, actor: 'alice', reason: 'v2' })
 */
export interface StartOptions extends ManualOptions {
  readonly baseline: string
  readonly canary: string
  /** Default: the default plan (1 % → 10 % → 50 % → 100 %). */
  readonly plan?: Plan
  /** Default: the default criteria. */
  readonly criteria?: Criteria
}

/**
 * The rollout guard: judges on a timer, acts on the flags file, takes manual commands.
 *
 * @example
 * const [s] = await guard.status()
 * console.log(`${s.flagKey}: ${s.percentage} % ${s.phase}, waiting for ${s.waitingFor}`)
 */
export interface RolloutGuard {
  /** Begins a rollout: writes its record and the flag's stage-0 targeting. */
  start(flagKey: string, options: StartOptions): Promise<RolloutStatus>
  /** Moves to the next stage, or straight to the last (`full`). */
  promote(
    flagKey: string,
    options: ManualOptions & { readonly to?: 'next' | 'full' },
  ): Promise<RolloutStatus>
  /** Kill switch first, then the file, then alerts and the audit log. */
  rollback(flagKey: string, options: ManualOptions): Promise<RolloutStatus>
  /** Stops judging; the current share keeps being served. */
  pause(flagKey: string, options: ManualOptions): Promise<RolloutStatus>
  /** Judges again; the stage's evidence and dwell time restart. */
  resume(flagKey: string, options: ManualOptions): Promise<RolloutStatus>
  /** Every rollout in the file, with what it waits for. */
  status(): Promise<readonly RolloutStatus[]>
  /** One check of every running rollout (what the timer runs). Never rejects. */
  tick(): Promise<void>
  /** Stops the timer and flushes alerts and audit records (bounded). Idempotent. */
  close(): Promise<void>
}
