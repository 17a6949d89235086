import type { Logger, OutcomeSink } from '@canarykit/core'
import type { EvaluationContext, TrackingEventDetails } from '@openfeature/server-sdk'
import { ServedVariants, type Served } from './served-variants.js'

/**
 * Turns OpenFeature tracking calls into canarykit `Outcome`s: remembers which variant each unit
 * was served, and attributes a tracking event to it.
 *
 * Tracking-details conventions (all optional): `flagKey` (string) names the flag the event is
 * about, otherwise the event counts for every flag the unit was served; `error` (boolean, default
 * false), `success` (boolean) and `latencyMs` (number) map onto the `Outcome` fields.
 *
 * @internal
 */
export class OutcomeTracker {
  readonly #sink: OutcomeSink
  readonly #served: ServedVariants
  readonly #logger: Logger

  constructor(sink: OutcomeSink, maxUnits: number, logger: Logger) {
    this.#sink = sink
    this.#served = new ServedVariants(maxUnits)
    this.#logger = logger
  }

  /** Called for every evaluation that resolved a variant for a context with a targeting key. */
  served(flagKey: string, unitKey: string, variant: string, overridden: boolean): void {
    if (!this.#served.remember(unitKey, flagKey, variant, overridden)) return
    try {
      this.#sink.assigned?.({ flagKey, variant, unitKey, overridden })
    } catch (error) {
      this.#logger.warn?.(`outcome sink threw in assigned(): ${String(error)}`)
    }
  }

  track(eventName: string, context: EvaluationContext, details: TrackingEventDetails): void {
    const unitKey = context.targetingKey
    if (typeof unitKey !== 'string') {
      this.#logger.debug?.(`track(${eventName}): no targetingKey, not attributed`)
      return
    }
    const flags = this.#served.lookup(unitKey)
    const flagKey = details['flagKey']
    const error = details['error'] === true
    const success = details['success']
    const latencyMs = details['latencyMs']
    const extra = {
      ...(typeof success === 'boolean' ? { success } : {}),
      ...(typeof latencyMs === 'number' && Number.isFinite(latencyMs) ? { latencyMs } : {}),
    }
    const targets: (readonly [string, Served | undefined])[] =
      typeof flagKey === 'string' ? [[flagKey, flags?.get(flagKey)]] : [...(flags ?? [])]
    for (const [key, served] of targets) {
      if (served === undefined) {
        this.#logger.debug?.(
          `track(${eventName}): ${key} was not served to this unit, not attributed`,
        )
        continue
      }
      const outcome = {
        flagKey: key,
        variant: served.variant,
        operation: eventName,
        unitKey,
        error,
        overridden: served.overridden,
        ...extra,
      }
      try {
        this.#sink.record(outcome)
      } catch (thrown) {
        this.#logger.warn?.(`outcome sink threw in record(): ${String(thrown)}`)
      }
    }
  }
}
