import type {
  BulkResolution,
  Engine,
  EvaluationContext,
  FlagValue,
  Logger,
  Resolution,
} from '@canarykit/core'
import { recordToAll } from './recorder-list.js'
import type { EvaluationRecord, EvaluationRecorder } from './types.js'

/**
 * Options for {@link instrumentEngine}.
 *
 * @example
 * instrumentEngine(createEngine(), metrics, { providerName: 'docs-search' })
 */
export interface InstrumentEngineOptions {
  /** `feature_flag.provider.name` on events. Default `canarykit`. */
  readonly providerName?: string
  /** Told when a recorder throws (the evaluation is unaffected). Default: silent. */
  readonly logger?: Logger
}

/**
 * Wraps a core engine so that every `evaluate`, `resolveVariant` and (per flag) `evaluateAll`
 * is recorded; everything else is delegated untouched. Use the result wherever the engine went
 * (the MCP router's `evaluator`, the OpenFeature provider). Results are the engine's own.
 *
 * @example
 * const engine = instrumentEngine(createEngine(), [metrics, events])
 * engine.load(readFileSync('flags.json', 'utf8'), { source: 'flags.json' })
 * engine.evaluate('new-search', false, { targetingKey: 'session-42' }) // counted, and one event
 */
export function instrumentEngine(
  engine: Engine,
  recorders: EvaluationRecorder | readonly EvaluationRecorder[],
  options: InstrumentEngineOptions = {},
): Engine {
  const record = recordToAll(recorders, options.logger)
  const providerName = options.providerName ?? 'canarykit'

  function report(
    r: Resolution<unknown> | BulkResolution,
    flagKey: string,
    context: EvaluationContext | undefined,
    withValue: boolean,
  ): void {
    const evaluation: EvaluationRecord = {
      flagKey,
      variant: r.variant,
      reason: r.reason,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      providerName,
      contextId: context?.targetingKey,
      // Semconv wants the value only when there is no variant.
      value: withValue && r.variant === undefined ? r.value : undefined,
      flagMetadata: r.flagMetadata,
    }
    record(evaluation)
  }

  function evaluate(
    flagKey: string,
    defaultValue: FlagValue,
    context?: EvaluationContext,
  ): Resolution<FlagValue> {
    const r = (
      engine.evaluate as (k: string, d: FlagValue, c?: EvaluationContext) => Resolution<FlagValue>
    )(flagKey, defaultValue, context)
    report(r, flagKey, context, true)
    return r
  }

  return {
    evaluate: evaluate as Engine['evaluate'],
    resolveVariant(flagKey, context) {
      const r = engine.resolveVariant(flagKey, context)
      report(r, flagKey, context, false)
      return r
    },
    evaluateAll(context) {
      const results = engine.evaluateAll(context)
      for (const r of results) report(r, r.flagKey, context, false)
      return results
    },
    load: (document, loadOptions) => engine.load(document, loadOptions),
    flagKeys: () => engine.flagKeys(),
    flagDefinition: (flagKey) => engine.flagDefinition(flagKey),
    override: (flagKey, variant) => engine.override(flagKey, variant),
    clearOverride: (flagKey) => engine.clearOverride(flagKey),
    overrides: () => engine.overrides(),
    flagType: (flagKey) => engine.flagType(flagKey),
    flagSetMetadata: () => engine.flagSetMetadata(),
  }
}
