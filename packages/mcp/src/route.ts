import type { Outcome } from '@canarykit/core'
import { decider, describe, type DecideSpec, type Decision } from './decide.js'
import type { CallInterceptor, RequestExtra, RoutedCall, RoutedMethod } from './types.js'
import { withVariant } from './variant-meta.js'

/** An implementation as the router calls it: McpServer's own arguments, `extra` last. */
export type Implementation = (...params: unknown[]) => unknown

/** Everything a routed callback needs, resolved once when it is created. */
export interface RouteSpec extends DecideSpec {
  readonly method: RoutedMethod
  readonly operation: string
  readonly implementations: ReadonlyMap<string, Implementation>
  readonly interceptors: readonly CallInterceptor[]
  /** Tool-level success of a result that is not an error. */
  readonly success: ((result: unknown) => boolean) | undefined
  /** Whether a returned result is an error (tools: `isError: true`). */
  readonly isError: (result: unknown) => boolean
  /** Monotonic milliseconds. */
  readonly clock: () => number
  /** Where the served variant goes in the result's `_meta`; `undefined`: nowhere. */
  readonly metaKey: string | undefined
}

/** How often, at most, calls are checked for a client that gave up on them. */
const SWEEP_INTERVAL_MS = 1000

/**
 * Creates the callback handed to McpServer. It passes McpServer's arguments (and `extra`, so
 * `extra.signal` reaches the implementation) through untouched, rethrows whatever the
 * implementation throws (McpServer then reports it exactly as for an unwrapped callback), and
 * records one outcome per call, as an error if it threw, returned an error result, or its
 * client cancelled it (e.g. a client-side timeout).
 */
export function route(spec: RouteSpec): (...params: unknown[]) => Promise<unknown> {
  const decide = decider(spec)
  const { implementations, interceptors, clock, metaKey, isError } = spec
  /*
   * Calls still running. An implementation that never settles is recorded once its client has
   * cancelled, by a sweep that later calls run at most once a second. (A listener on each
   * request's fresh AbortSignal would do it at once, but costs ~4 µs per call on Node 20.)
   */
  const running = new Set<InFlight>()
  let lastSweep = Number.NEGATIVE_INFINITY

  function sweep(now: number): void {
    lastSweep = now
    for (const call of running) {
      if (call.signal?.aborted === true) {
        running.delete(call)
        call.finish(true, undefined, now)
      }
    }
  }

  function invoke(d: Decision, params: unknown[], extra: RequestExtra): unknown {
    // The baseline is always implemented, and a decision only names implemented variants.
    const implementation = implementations.get(d.variant) as Implementation
    if (interceptors.length === 0) return implementation(...params)
    const call = routedCall(spec, d, extra)
    // eslint-disable-next-line @typescript-eslint/require-await -- async turns a synchronous throw into a rejection
    let next = async (): Promise<unknown> => implementation(...params)
    for (let i = interceptors.length - 1; i >= 0; i--) {
      const interceptor = interceptors[i] as CallInterceptor
      const inner = next
      next = () => interceptor(call, inner)
    }
    return next()
  }

  return async function routed(...params: unknown[]): Promise<unknown> {
    const extra = params[params.length - 1] as RequestExtra
    const pending = decide(extra)
    const d = pending instanceof Promise ? await pending : pending
    const start = clock()
    if (running.size !== 0 && start - lastSweep >= SWEEP_INTERVAL_MS) sweep(start)
    const call = new InFlight(spec, d, start, (extra as Partial<RequestExtra> | undefined)?.signal)
    let result: unknown
    try {
      result = invoke(d, params, extra)
      if (isThenable(result)) {
        running.add(call)
        try {
          result = await result
        } finally {
          running.delete(call)
        }
      }
    } catch (error) {
      call.finish(true, undefined, clock())
      throw error
    }
    call.finish(isError(result) || call.signal?.aborted === true, result, clock())
    return metaKey === undefined ? result : withVariant(result, metaKey, d.variant)
  }
}

/** One call being served; its outcome is recorded once. */
class InFlight {
  private open = true

  constructor(
    private readonly spec: RouteSpec,
    private readonly decision: Decision,
    private readonly start: number,
    readonly signal: AbortSignal | undefined,
  ) {}

  finish(error: boolean, result: unknown, now: number): void {
    if (!this.open) return
    this.open = false
    const { spec, decision } = this
    if (spec.sinks.length === 0) return
    const outcome: Mutable<Outcome> = {
      flagKey: spec.flagKey,
      variant: decision.variant,
      operation: spec.operation,
      latencyMs: now - this.start,
      error,
      overridden: decision.overridden,
    }
    if (decision.unitKey !== undefined) outcome.unitKey = decision.unitKey
    if (spec.success !== undefined) {
      try {
        outcome.success = !error && spec.success(result) === true
      } catch (thrown) {
        spec.logger.warn?.(
          `canarykit: success predicate of ${spec.operation} threw: ${describe(thrown)}`,
        )
      }
    }
    for (const sink of spec.sinks) {
      try {
        sink.record(outcome)
      } catch (thrown) {
        spec.logger.warn?.(`canarykit: outcome sink threw on record: ${describe(thrown)}`)
      }
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}

function routedCall(spec: RouteSpec, d: Decision, extra: RequestExtra): RoutedCall {
  const call: RoutedCall = {
    method: spec.method,
    operation: spec.operation,
    flagKey: spec.flagKey,
    variant: d.variant,
    reason: d.reason,
    overridden: d.overridden,
  }
  const sessionId = (extra as Partial<RequestExtra> | undefined)?.sessionId
  return sessionId === undefined ? call : { ...call, sessionId }
}
