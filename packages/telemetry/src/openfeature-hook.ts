import type { Logger } from '@canarykit/core'
import { recordToAll } from './recorder-list.js'
import type { EvaluationRecorder } from './types.js'

/**
 * What the hook reads of OpenFeature's `HookContext`.
 *
 * @example
 * hook.finally({ flagKey: 'f', context: { targetingKey: 's-1' }, providerMetadata: { name: 'canarykit' } }, details)
 */
export interface HookContextLike {
  readonly flagKey: string
  readonly context: { readonly targetingKey?: string | undefined }
  readonly providerMetadata: { readonly name: string }
}

/**
 * What the hook reads of OpenFeature's `EvaluationDetails`.
 *
 * @example
 * hook.finally(hookContext, { flagKey: 'f', value: true, variant: 'on', reason: 'STATIC', flagMetadata: {} })
 */
export interface EvaluationDetailsLike {
  readonly flagKey: string
  readonly value: unknown
  readonly variant?: string | undefined
  readonly reason?: string | undefined
  readonly errorCode?: string | undefined
  readonly errorMessage?: string | undefined
  readonly flagMetadata: Readonly<Record<string, string | number | boolean>>
}

/**
 * An OpenFeature server hook (structurally; the SDK is not imported). It records in `finally`,
 * which sees successes and errors alike (server SDK ≥ 1.17 passes the details there).
 *
 * @example
 * OpenFeature.addHooks(openFeatureHook([metrics, events]))
 */
export interface TelemetryHook {
  finally(hookContext: HookContextLike, details?: EvaluationDetailsLike): void
}

/**
 * An OpenFeature hook that records each evaluation (reason, variant, error code, provider
 * name) into canarykit's metrics and events, whatever the provider. Never throws.
 *
 * @example
 * OpenFeature.addHooks(openFeatureHook([createPrometheusMetrics(), createEvaluationEvents({ logger })]))
 */
export function openFeatureHook(
  recorders: EvaluationRecorder | readonly EvaluationRecorder[],
  options: { readonly logger?: Logger } = {},
): TelemetryHook {
  const record = recordToAll(recorders, options.logger)
  return {
    finally(hookContext, details) {
      // Server SDKs before 1.17 call `finally` without the details: nothing to record.
      if (details === undefined) return
      record({
        flagKey: details.flagKey,
        variant: details.variant,
        reason: details.reason ?? (details.errorCode === undefined ? 'UNKNOWN' : 'ERROR'),
        errorCode: details.errorCode,
        errorMessage: details.errorMessage,
        providerName: hookContext.providerMetadata.name,
        contextId: hookContext.context.targetingKey,
        value: details.variant === undefined ? details.value : undefined,
        flagMetadata: details.flagMetadata,
      })
    },
  }
}
