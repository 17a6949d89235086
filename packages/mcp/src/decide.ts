import {
  METADATA_KEYS,
  type EvaluationContext,
  type Logger,
  type OutcomeSink,
  type VariantEvaluator,
  type VariantResolution,
} from '@canarykit/core'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { OverrideOf } from './header-override.js'
import type { PinStore } from './pin-store.js'
import type { SessionKeyOf } from './session-key.js'
import type { RequestExtra } from './types.js'

/**
 * What a context mapper sees of a call. `headers` and `meta` are empty objects when absent.
 *
 * @example
 * const context = ({ authInfo, headers }: ContextSource) => ({ tier: authInfo?.extra?.['tier'] ?? 'free', region: headers['x-region'] })
 */
export interface ContextSource {
  /** The bucketing key found by the session key chain (the `targetingKey`), if any. */
  readonly unitKey: string | undefined
  readonly sessionId: string | undefined
  readonly authInfo: AuthInfo | undefined
  /** HTTP request headers, lower-cased (Streamable HTTP only). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** The request's `_meta`. */
  readonly meta: Readonly<Record<string, unknown>>
  readonly extra: RequestExtra
}

/**
 * Adds targeting attributes (tier, region, beta, user id…) to the evaluation context. Its
 * result is spread after `targetingKey`, so it may replace the bucketing key on purpose.
 *
 * @example
 * const context: ContextMapper = ({ meta }) => ({ beta: meta['com.example/beta'] === true })
 */
export type ContextMapper = (source: ContextSource) => Readonly<Record<string, unknown>>

/** Which implementation serves a call, and why. */
export interface Decision {
  readonly variant: string
  /** The evaluation reason, `STICKY` (served from a pin) or `OVERRIDE` (forced by the header). */
  readonly reason: string
  readonly overridden: boolean
  readonly unitKey: string | undefined
}

/** The parts of a route that choose its variant. */
export interface DecideSpec {
  readonly flagKey: string
  readonly baseline: string
  readonly variants: ReadonlySet<string>
  readonly evaluator: VariantEvaluator
  readonly pins: PinStore
  /** The pin store reads the router's clock, so the router's reading can be handed to it. */
  readonly pinsShareClock: boolean
  readonly keyOf: SessionKeyOf
  readonly contextOf: ContextMapper | undefined
  readonly overrideOf: OverrideOf | undefined
  readonly sinks: readonly OutcomeSink[]
  readonly logger: Logger
}

const EMPTY: Readonly<Record<string, never>> = Object.freeze({})

/**
 * Builds the per-call decision: evaluate the flag for the session, then apply, in order of
 * precedence, the kill switch, the override header, the session's pin (if made under the
 * current epoch) and finally the evaluation itself. Synchronous when the evaluator is. Never
 * throws: anything unusable serves the baseline.
 */
export function decider(
  spec: DecideSpec,
): (extra: RequestExtra, now: number) => Decision | Promise<Decision> {
  const { flagKey, baseline, variants, evaluator, pins, keyOf, contextOf, overrideOf, logger } =
    spec
  const shareClock = spec.pinsShareClock
  const emitAssigned = spec.sinks.filter((sink) => typeof sink.assigned === 'function')

  function contextFor(unitKey: string | undefined, extra: RequestExtra): EvaluationContext {
    const base = unitKey === undefined ? EMPTY : { targetingKey: unitKey }
    if (contextOf === undefined) return base
    try {
      return { ...base, ...contextOf(sourceOf(unitKey, extra)) }
    } catch (error) {
      logger.warn?.(`canarykit: context mapper for flag ${flagKey} threw: ${describe(error)}`)
      return base
    }
  }

  function assigned(unitKey: string, variant: string): void {
    for (const sink of emitAssigned) {
      try {
        sink.assigned?.({ flagKey, variant, unitKey, overridden: false })
      } catch (error) {
        logger.warn?.(`canarykit: outcome sink threw on assigned: ${describe(error)}`)
      }
    }
  }

  function choose(
    resolution: VariantResolution | undefined,
    unitKey: string | undefined,
    forced: string | undefined,
    now: number | undefined,
  ): Decision {
    // A hand-written evaluator may return anything; only an object is read.
    const r = typeof resolution === 'object' && resolution !== null ? resolution : undefined
    const metadata = r?.flagMetadata
    const killed = metadata !== undefined && metadata[METADATA_KEYS.override] !== undefined
    // Safety beats everything: the kill switch wins over the header and over pins.
    if (forced !== undefined && !killed) {
      return { variant: forced, reason: 'OVERRIDE', overridden: true, unitKey }
    }
    const variant = r?.variant
    if (
      r === undefined ||
      r.reason === 'ERROR' ||
      variant === undefined ||
      !variants.has(variant)
    ) {
      // No usable variant (missing/broken flag, disabled, unimplemented): baseline; pins stay.
      return { variant: baseline, reason: r?.reason ?? 'ERROR', overridden: false, unitKey }
    }
    if (unitKey === undefined) return { variant, reason: r.reason, overridden: false, unitKey }
    const epoch = metadata?.[METADATA_KEYS.pinEpoch]
    const pin = pins.get(unitKey, flagKey, now)
    if (!killed && pin !== undefined && pin.epoch === epoch) {
      // Routes sharing a flag share pins; one without the pinned variant serves its baseline.
      const served = pin.variant === variant || variants.has(pin.variant) ? pin.variant : baseline
      return { variant: served, reason: 'STICKY', overridden: false, unitKey }
    }
    // New session, a pin from an older epoch (a rollback), or the kill switch: (re)pin.
    pins.set(unitKey, flagKey, { variant, epoch }, now)
    if (pin?.variant !== variant) assigned(unitKey, variant)
    return { variant, reason: r.reason, overridden: false, unitKey }
  }

  return (extra, now) => {
    const pinNow = shareClock ? now : undefined
    const unitKey = keyOf(extra)
    const forced = overrideOf?.(extra)
    let pending: VariantResolution | PromiseLike<VariantResolution>
    try {
      pending = evaluator.resolveVariant(flagKey, contextFor(unitKey, extra))
    } catch (error) {
      logger.warn?.(`canarykit: evaluating flag ${flagKey} threw: ${describe(error)}`)
      return choose(undefined, unitKey, forced, pinNow)
    }
    if (!isThenable(pending)) return choose(pending, unitKey, forced, pinNow)
    // Time has passed by the time an async evaluation arrives: the store reads its clock.
    return Promise.resolve(pending).then(
      (r) => choose(r, unitKey, forced, undefined),
      (error: unknown) => {
        logger.warn?.(`canarykit: evaluating flag ${flagKey} failed: ${describe(error)}`)
        return choose(undefined, unitKey, forced, undefined)
      },
    )
  }
}

function sourceOf(unitKey: string | undefined, extra: RequestExtra): ContextSource {
  return {
    unitKey,
    sessionId: extra.sessionId,
    authInfo: extra.authInfo,
    headers: extra.requestInfo?.headers ?? EMPTY,
    meta: extra._meta ?? EMPTY,
    extra,
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/** A thrown value as text, for log lines. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
