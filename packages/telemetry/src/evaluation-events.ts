import { FlagsError } from '@canarykit/core'
import { ATTR, EVALUATION_EVENT, METADATA } from './semconv.js'
import type { EvaluationRecord, EvaluationRecorder } from './types.js'

/**
 * The part of an OpenTelemetry logs `Logger` (`@opentelemetry/api-logs`) the events need; pass
 * `logs.getLogger('my-server')` or `loggerProvider.getLogger(…)`.
 *
 * @example
 * const events = createEvaluationEvents({ logger: loggerProvider.getLogger('mcp-server') })
 */
export interface EventLogger {
  emit(record: EvaluationLogRecord): void
}

/**
 * The log record of one `feature_flag.evaluation` event.
 *
 * @example
 * logger.emit({ eventName: 'feature_flag.evaluation', severityNumber: 9, severityText: 'INFO', attributes })
 */
export interface EvaluationLogRecord {
  readonly eventName: string
  /** 9: INFO. */
  readonly severityNumber: number
  readonly severityText: string
  readonly attributes: Readonly<Record<string, string | number | boolean>>
}

/**
 * Options for {@link createEvaluationEvents}.
 *
 * @example
 * createEvaluationEvents({ logger: logs.getLogger('mcp-server'), contextId: true })
 */
export interface EvaluationEventsOptions {
  readonly logger: EventLogger
  /**
   * Add `feature_flag.context.id` (the targeting key, or `flagMetadata.contextId`). Default
   * `false`: a targeting key identifies a session or a person, so it is opt-in.
   */
  readonly contextId?: boolean
  /**
   * Also emit the error message as `error.message`, the deprecated name `@openfeature/core`'s
   * `createEvaluationEvent` still uses. Default `false`: only `feature_flag.error.message`.
   */
  readonly legacyErrorMessage?: boolean
}

/**
 * Emits one `feature_flag.evaluation` log event per evaluation, with the semantic-convention
 * attributes. Feed it from `instrumentEngine` or `openFeatureHook`. Never throws.
 *
 * @example
 * const events = createEvaluationEvents({ logger: logs.getLogger('mcp-server') })
 * const engine = instrumentEngine(createEngine(), [metrics, events])
 */
export function createEvaluationEvents(options: EvaluationEventsOptions): EvaluationRecorder {
  const logger = (options as Partial<EvaluationEventsOptions>).logger
  if (typeof logger?.emit !== 'function') {
    throw new FlagsError(
      'INVALID_CONFIG',
      'logger must be an OpenTelemetry logs Logger (with emit)',
    )
  }
  const withContextId = options.contextId === true
  const legacy = options.legacyErrorMessage === true
  return {
    recordEvaluation(evaluation) {
      try {
        logger.emit({
          eventName: EVALUATION_EVENT,
          severityNumber: 9,
          severityText: 'INFO',
          attributes: evaluationAttributes(evaluation, withContextId, legacy),
        })
      } catch {
        // A broken logs pipeline must not break an evaluation.
      }
    },
  }
}

/**
 * The semantic-convention attributes of one evaluation.
 *
 * @internal
 */
export function evaluationAttributes(
  e: EvaluationRecord,
  withContextId: boolean,
  legacyErrorMessage: boolean,
): Record<string, string | number | boolean> {
  const attributes: Record<string, string | number | boolean> = { [ATTR.flagKey]: e.flagKey }
  if (e.variant !== undefined) attributes[ATTR.variant] = e.variant
  else if (e.value !== undefined && e.value !== null) attributes[ATTR.value] = valueOf(e.value)
  attributes[ATTR.reason] = e.reason.toLowerCase()
  if (e.providerName !== undefined) attributes[ATTR.providerName] = e.providerName
  const metadata = e.flagMetadata
  if (withContextId) {
    const id = metadata?.[METADATA.contextId] ?? e.contextId
    if (id !== undefined) attributes[ATTR.contextId] = String(id)
  }
  const version = metadata?.[METADATA.version]
  if (version !== undefined) attributes[ATTR.version] = String(version)
  const setId = metadata?.[METADATA.setId]
  if (setId !== undefined) attributes[ATTR.setId] = String(setId)
  if (e.errorCode !== undefined || e.reason === 'ERROR') {
    attributes[ATTR.errorType] = (e.errorCode ?? 'GENERAL').toLowerCase()
    if (e.errorMessage !== undefined && e.errorMessage !== '') {
      attributes[ATTR.errorMessage] = e.errorMessage
      if (legacyErrorMessage) attributes[ATTR.legacyErrorMessage] = e.errorMessage
    }
  }
  return attributes
}

function valueOf(value: unknown): string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? value
    : JSON.stringify(value)
}
