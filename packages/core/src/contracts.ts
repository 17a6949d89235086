import type { BulkResolution, EvaluationContext } from './types.js'

/*
 * Types shared by two or more canarykit packages. Adapters implement or consume these; none of
 * them imports another adapter.
 */

/** A flag resolved to a variant name, whatever the flag's type (value present when resolved). */
export type VariantResolution = BulkResolution

/**
 * Anything that can tell which variant a unit gets: the core engine does, synchronously; an
 * adapter over an OpenFeature client does, asynchronously. The MCP router takes one of these.
 */
export interface VariantEvaluator {
  resolveVariant(
    flagKey: string,
    context: EvaluationContext,
  ): VariantResolution | PromiseLike<VariantResolution>
}

/** A unit (an MCP session) was served a variant of a flag for the first time. */
export interface Assignment {
  readonly flagKey: string
  readonly variant: string
  /** The bucketing unit; sinks must not use it as a metric label (unbounded). */
  readonly unitKey: string
  /** Served because of a manual override (e.g. a test header): not part of the experiment. */
  readonly overridden: boolean
}

/** One call served by a variant, finished. */
export interface Outcome {
  readonly flagKey: string
  readonly variant: string
  /** What was called (an MCP tool name, or an OpenFeature tracking event name). */
  readonly operation: string
  readonly unitKey?: string
  readonly latencyMs?: number
  /** The call failed: it threw, or returned an error result. */
  readonly error: boolean
  /** The caller's own success criterion (e.g. "returned at least one hit"), when it has one. */
  readonly success?: boolean
  /** Served because of a manual override: recorded, but excluded from the guard's statistics. */
  readonly overridden: boolean
}

/**
 * Where routed calls report. Recording must be cheap and must never throw into the caller;
 * the rollout guard implements this.
 */
export interface OutcomeSink {
  assigned?(assignment: Assignment): void
  record(outcome: Outcome): void
}

/**
 * Flag metadata keys canarykit writes and reads (flag metadata is flat, and flagd passes it
 * through to every evaluation, so they reach every replica and every flagd-compatible reader).
 */
export const METADATA_KEYS = {
  /** Incremented by a rollback: sticky session pins made under an older epoch are dropped. */
  pinEpoch: 'canarykit.pinEpoch',
  /** Present on results served by an in-memory override (the kill switch); holds the variant. */
  override: 'canarykit.override',
} as const

/** A call the MCP router is about to serve, as interceptors (tracing, metrics) see it. */
export interface RoutedCall {
  /** The MCP method, e.g. `tools/call`. */
  readonly method: string
  /** The tool (or prompt/resource) name. */
  readonly operation: string
  readonly flagKey: string
  readonly variant: string
  /** Why this variant: the evaluation reason, `STICKY` for a pinned session, `OVERRIDE` for a header. */
  readonly reason: string
  /** The MCP session id, when the transport has one. */
  readonly sessionId?: string
  readonly overridden: boolean
}

/**
 * Wraps the execution of the chosen implementation (e.g. in an OpenTelemetry span, so the
 * implementation's own spans nest inside it). Must call `next` exactly once and return its result.
 */
export type CallInterceptor = <T>(call: RoutedCall, next: () => Promise<T>) => Promise<T>
