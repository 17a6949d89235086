import {
  createEngine,
  FlagsError,
  isFlagsError,
  METADATA_KEYS,
  type Clock,
  type Engine,
  type FlagValue,
  type Logger,
  type OutcomeSink,
  type Resolution,
} from '@canarykit/core'
import {
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
  type TrackingEventDetails,
} from '@openfeature/server-sdk'
import type { FlagContent, FlagSource, FlagSourceListener } from './flag-source.js'
import { OutcomeTracker } from './outcome-tracker.js'
import type { SourceStatus } from './source-status.js'
import { toResolutionDetails } from './resolution-details.js'

/**
 * Options for {@link CanaryProvider}.
 *
 * @example
 * const options: CanaryProviderOptions = { source: fileSource('flags.json'), outcomeSink: guard }
 */
export interface CanaryProviderOptions {
  /** Where the flags come from: {@link fileSource}, {@link objectSource}, or your own. */
  readonly source: FlagSource
  /** Reload problems (once per distinct error) and load warnings. Default: `console`. */
  readonly logger?: Logger
  /** Timestamps in {@link SourceStatus} and `$flagd.timestamp`. Default: `Date.now`. */
  readonly clock?: Clock
  /** Receives assignments and `track()` outcomes (the rollout guard plugs in here). */
  readonly outcomeSink?: OutcomeSink
  /** How many units (targeting keys) to remember served variants for. Default 10,000. */
  readonly maxTrackedUnits?: number
}

type State = SourceStatus['state']

const DEFAULT_LOGGER: Logger = { warn: console.warn, error: console.error }

/**
 * An OpenFeature server provider over the canarykit engine: flagd-exact evaluation, a hot-reloaded
 * flag source whose last good content keeps serving, overrides (the kill switch) and tracking.
 *
 * @example
 * await OpenFeature.setProviderAndWait(new CanaryProvider({ source: fileSource('flags.json') }))
 * const client = OpenFeature.getClient()
 * await client.getBooleanValue('new-search', false, { targetingKey: sessionId, tier: 'pro' })
 */
export class CanaryProvider implements Provider {
  readonly metadata = { name: 'canarykit' } as const
  readonly runsOn = 'server'
  readonly events = new OpenFeatureEventEmitter()

  readonly #source: FlagSource
  readonly #engine: Engine
  readonly #logger: Logger
  readonly #clock: Clock
  readonly #tracker: OutcomeTracker | undefined
  /** The listener of the running source; anything else calling in is a stopped session. */
  #session: FlagSourceListener | undefined
  #state: State = 'idle'
  #lastError: FlagsError | undefined
  #lastLoadedAt: number | undefined
  #contentHash: string | undefined
  #loads = 0

  constructor(options: CanaryProviderOptions) {
    this.#source = options.source
    this.#logger = options.logger ?? DEFAULT_LOGGER
    this.#clock = options.clock ?? Date.now
    this.#engine = createEngine({ logger: this.#logger, clock: this.#clock })
    const maxUnits = options.maxTrackedUnits ?? 10_000
    if (!Number.isInteger(maxUnits) || maxUnits < 1) {
      throw new FlagsError('INVALID_ARGUMENT', 'maxTrackedUnits must be a positive integer')
    }
    this.#tracker =
      options.outcomeSink === undefined
        ? undefined
        : new OutcomeTracker(options.outcomeSink, maxUnits, this.#logger)
  }

  /** The health of the flag source; see {@link SourceStatus}. */
  get sourceStatus(): SourceStatus {
    return {
      state: this.#state,
      loads: this.#loads,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      ...(this.#lastLoadedAt === undefined ? {} : { lastLoadedAt: this.#lastLoadedAt }),
      ...(this.#contentHash === undefined ? {} : { contentHash: this.#contentHash }),
    }
  }

  /**
   * Starts the source and loads its content. Rejects with the `FlagsError` (file, flag, JSON path)
   * when there is no valid content: the SDK then reports `PROVIDER_ERROR` and nothing keeps
   * running. Called by the SDK; resolving makes it emit `PROVIDER_READY`.
   */
  async initialize(): Promise<void> {
    if (this.#session !== undefined) return
    let loaded = false
    let latest: FlagContent | undefined
    const session: FlagSourceListener = {
      // A change racing the initial load wins over the initial content.
      change: (content) => {
        if (this.#session !== session) return
        if (loaded) this.#apply(content)
        else latest = content
      },
      unavailable: (error) => {
        if (this.#session === session && loaded) this.#fail('stale', error)
      },
    }
    this.#session = session
    try {
      const initial = await this.#source.start(session)
      if (this.#session !== session) throw new FlagsError('NOT_READY', 'closed while initializing')
      this.#load(latest ?? initial)
      loaded = true
      this.#state = 'ok'
      this.#lastError = undefined
    } catch (error) {
      const failure = asFlagsError(error, this.#source.name)
      // (Closed meanwhile: onClose already stopped the source and the state stays idle.)
      if (this.#session === session) {
        this.#session = undefined
        this.#state = 'error'
        this.#lastError = failure
        await this.#source.stop()
      }
      throw failure
    }
  }

  /** Stops the source: no watcher, timer or event survives. Idempotent. */
  async onClose(): Promise<void> {
    if (this.#session === undefined) return
    this.#session = undefined
    this.#state = 'idle'
    this.#lastError = undefined
    await this.#source.stop()
  }

  /**
   * Forces a flag to a variant (`null`: its default variant) in memory, over whatever the source
   * says, until {@link clearOverride}; the very next evaluation sees it. Emits
   * `PROVIDER_CONFIGURATION_CHANGED` for the flag. Throws `FlagsError('INVALID_ARGUMENT')` for a
   * variant the loaded flag does not have.
   */
  override(flagKey: string, variant: string | null): void {
    const overrides = this.#engine.overrides()
    if (overrides.has(flagKey) && overrides.get(flagKey) === variant) return
    this.#engine.override(flagKey, variant)
    this.#changed([flagKey], `override ${flagKey} → ${variant ?? 'default variant'}`)
  }

  /** Removes an override; emits `PROVIDER_CONFIGURATION_CHANGED` if there was one. */
  clearOverride(flagKey: string): void {
    if (!this.#engine.overrides().has(flagKey)) return
    this.#engine.clearOverride(flagKey)
    this.#changed([flagKey], `override of ${flagKey} cleared`)
  }

  /** The active overrides: flag key → forced variant (`null`: the default variant). */
  overrides(): ReadonlyMap<string, string | null> {
    return this.#engine.overrides()
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context))
  }

  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context))
  }

  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context))
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    // core checks the variant's type with `typeof`, which covers arrays and null as 'object' too.
    return Promise.resolve(this.#resolve(flagKey, defaultValue as unknown as FlagValue, context))
  }

  /**
   * Hands a tracking event, with the variant the unit was last served, to the outcome sink.
   * `details.flagKey` names the flag; without it the event counts for every flag the unit was
   * served. Never throws.
   */
  track(eventName: string, context: EvaluationContext, details: TrackingEventDetails): void {
    try {
      this.#tracker?.track(eventName, context, details)
    } catch (error) {
      this.#logger.warn?.(`track(${eventName}) failed: ${String(error)}`)
    }
  }

  #resolve<T>(
    flagKey: string,
    defaultValue: FlagValue,
    context: EvaluationContext,
  ): ResolutionDetails<T> {
    const resolution = this.#engine.evaluate(
      flagKey,
      defaultValue as never,
      context,
    ) as Resolution<FlagValue>
    if (this.#tracker !== undefined && resolution.variant !== undefined) {
      const unitKey = context.targetingKey
      if (typeof unitKey === 'string') {
        const overridden = resolution.flagMetadata[METADATA_KEYS.override] !== undefined
        this.#tracker.served(flagKey, unitKey, resolution.variant, overridden)
      }
    }
    return toResolutionDetails<T>(resolution)
  }

  /** Loads content; throws the engine's FlagsError, leaving the last good flags serving. */
  #load(content: FlagContent): readonly string[] {
    const { changedFlags } = this.#engine.load(content.text, { source: this.#source.name })
    this.#loads++
    this.#lastLoadedAt = this.#clock()
    this.#contentHash = content.hash
    return changedFlags
  }

  #apply(content: FlagContent): void {
    const recovering = this.#state !== 'ok'
    let changed: readonly string[] = []
    if (content.hash !== this.#contentHash) {
      try {
        changed = this.#load(content)
      } catch (error) {
        this.#fail('error', asFlagsError(error, this.#source.name))
        return
      }
    }
    this.#state = 'ok'
    this.#lastError = undefined
    if (recovering) {
      this.#logger.info?.(`${this.#source.name}: flags loaded again`)
      this.events.emit(ProviderEvents.Ready, { message: 'flag source recovered' })
    }
    this.#changed(changed, 'flags reloaded')
  }

  /** Enters `stale`/`error`; logs and emits once per distinct error (a repeat changes nothing). */
  #fail(state: 'stale' | 'error', error: FlagsError): void {
    const repeat = this.#state === state && this.#lastError?.message === error.message
    this.#state = state
    this.#lastError = error
    if (repeat) return
    if (state === 'stale') {
      this.#logger.warn?.(`${error.message}; serving the last good flags`)
      this.events.emit(ProviderEvents.Stale, { message: error.message })
    } else {
      this.#logger.error?.(`${error.message}; serving the last good flags`)
      this.events.emit(ProviderEvents.Error, { message: error.message })
    }
  }

  #changed(flagsChanged: readonly string[], message: string): void {
    if (flagsChanged.length === 0 || this.#session === undefined || this.#state === 'idle') return
    this.events.emit(ProviderEvents.ConfigurationChanged, {
      flagsChanged: [...flagsChanged],
      message,
    })
  }
}

function asFlagsError(error: unknown, source: string): FlagsError {
  if (isFlagsError(error)) return error
  return new FlagsError('SOURCE_UNAVAILABLE', String(error), { source, cause: error })
}
