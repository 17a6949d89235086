import type { Outcome } from '@canarykit/core'
import { decider, describe, type DecideSpec, type Decision } from './decide.js'
import type { CallInterceptor, RequestExtra, RoutedCall, RoutedMethod } from './types.js'
import { variantAnnotator } from './variant-meta.js'

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
 *
 * Every call runs this, so it is kept lean: no `async` layer (one `.then` on a pending result,
 * none on a synchronous one), one clock reading shared with the pin store, a linked list
 * instead of a Set for the calls in flight, and one frozen `_meta` per variant.
 */
export function route(spec: RouteSpec): (...params: unknown[]) => Promise<unknown> {
  const decide = decider(spec)
  const { implementations, interceptors, clock, isError } = spec
  const annotate = spec.metaKey === undefined ? undefined : variantAnnotator(spec.metaKey)
  /*
   * Calls still running. An implementation that never settles is recorded once its client has
   * cancelled, by a sweep that later calls run at most once a second. (A listener on each
   * request's fresh AbortSignal would do it at once, but costs ~4 µs per call on Node 20.)
   */
  const running = new InFlightList()
  let lastSweep = Number.NEGATIVE_INFINITY

  function sweep(now: number): void {
    lastSweep = now
    running.forEach((call) => {
      if (call.signal?.aborted === true) {
        running.remove(call)
        call.finish(true, undefined, now)
      }
    })
  }

  function invoke(d: Decision, params: unknown[], extra: RequestExtra | undefined): unknown {
    // The baseline is always implemented, and a decision only names implemented variants.
    const implementation = implementations.get(d.variant) as Implementation
    if (interceptors.length === 0) return implementation(...params)
    return chain(0, routedCall(spec, d, extra), implementation, params)()
  }

  /*
   * `next` for the interceptor at `index`. Not async (an async function returning the
   * implementation's promise costs two more ticks), and returned unnamed: under tsx/esbuild's
   * keepNames a closure bound to a name gets a `__name` call per creation, which cost ~0.6 µs
   * per call with one interceptor.
   */
  function chain(
    index: number,
    call: RoutedCall,
    implementation: Implementation,
    params: unknown[],
  ): () => Promise<unknown> {
    const interceptor = interceptors[index]
    if (interceptor === undefined) {
      return () => {
        try {
          return Promise.resolve(implementation(...params))
        } catch (error) {
          return rejection(error)
        }
      }
    }
    return () => interceptor(call, chain(index + 1, call, implementation, params))
  }

  function serve(
    d: Decision,
    params: unknown[],
    extra: RequestExtra | undefined,
    start: number,
  ): Promise<unknown> {
    if (running.first !== undefined && start - lastSweep >= SWEEP_INTERVAL_MS) sweep(start)
    const call = new InFlight(spec, d, start, extra?.signal)
    let result: unknown
    try {
      result = invoke(d, params, extra)
    } catch (error) {
      call.finish(true, undefined, clock())
      return rejection(error)
    }
    if (!isThenable(result)) {
      call.finish(isError(result) || call.signal?.aborted === true, result, clock())
      return Promise.resolve(annotate === undefined ? result : annotate(result, d.variant))
    }
    running.add(call)
    return Promise.resolve(result).then(
      (value) => {
        running.remove(call)
        call.finish(isError(value) || call.signal?.aborted === true, value, clock())
        return annotate === undefined ? value : annotate(value, d.variant)
      },
      (error: unknown) => {
        running.remove(call)
        call.finish(true, undefined, clock())
        return rejection(error)
      },
    )
  }

  return function routed(...params: unknown[]): Promise<unknown> {
    const extra = params[params.length - 1] as RequestExtra | undefined
    // One clock reading serves the pin store and the latency's start (a synchronous decision
    // is part of the call); after an asynchronous decision, the latency starts afresh.
    const now = clock()
    let pending: Decision | Promise<Decision>
    try {
      pending = decide(extra as RequestExtra, now)
    } catch (error) {
      // decide never throws on McpServer's arguments; a malformed direct call still rejects.
      return rejection(error)
    }
    return pending instanceof Promise
      ? pending.then((d) => serve(d, params, extra, clock()))
      : serve(pending, params, extra, now)
  }
}

/** One call being served; its outcome is recorded once. Also a node of {@link InFlightList}. */
class InFlight {
  private open = true
  prev: InFlight | undefined = undefined
  next: InFlight | undefined = undefined

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

/** A doubly linked list of the calls still running: O(1) add and remove, no hashing. */
class InFlightList {
  first: InFlight | undefined = undefined

  add(call: InFlight): void {
    call.next = this.first
    if (this.first !== undefined) this.first.prev = call
    this.first = call
  }

  remove(call: InFlight): void {
    if (call.prev === undefined) {
      if (this.first !== call) return // already removed (swept)
      this.first = call.next
    } else {
      call.prev.next = call.next
    }
    if (call.next !== undefined) call.next.prev = call.prev
    call.prev = call.next = undefined
  }

  forEach(visit: (call: InFlight) => void): void {
    for (let call = this.first; call !== undefined;) {
      const next = call.next
      visit(call)
      call = next
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}

/** A promise rejected with exactly `error`, as an `async` function would return it. */
function rejection(error: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrown unchanged, whatever it is
  return Promise.reject(error)
}

function routedCall(spec: RouteSpec, d: Decision, extra: RequestExtra | undefined): RoutedCall {
  const sessionId = extra?.sessionId
  // Two literals, not a spread: the spread alone cost more than the rest of the wrapper.
  return sessionId === undefined
    ? {
        method: spec.method,
        operation: spec.operation,
        flagKey: spec.flagKey,
        variant: d.variant,
        reason: d.reason,
        overridden: d.overridden,
      }
    : {
        method: spec.method,
        operation: spec.operation,
        flagKey: spec.flagKey,
        variant: d.variant,
        reason: d.reason,
        overridden: d.overridden,
        sessionId,
      }
}
