/*
 * Semantic-convention names, copied rather than imported: the feature-flag and MCP names live
 * in `@opentelemetry/semantic-conventions/incubating`, whose maintainers advise copying them.
 */

/** The log-based event emitted once per flag evaluation (semconv, Release Candidate). */
export const EVALUATION_EVENT = 'feature_flag.evaluation'

/** Attribute names used on events and spans. */
export const ATTR = {
  flagKey: 'feature_flag.key',
  variant: 'feature_flag.result.variant',
  value: 'feature_flag.result.value',
  reason: 'feature_flag.result.reason',
  providerName: 'feature_flag.provider.name',
  contextId: 'feature_flag.context.id',
  version: 'feature_flag.version',
  setId: 'feature_flag.set.id',
  errorMessage: 'feature_flag.error.message',
  /** Deprecated generic name that `@openfeature/core` 1.12 still emits. */
  legacyErrorMessage: 'error.message',
  errorType: 'error.type',
  mcpMethod: 'mcp.method.name',
  mcpSessionId: 'mcp.session.id',
  toolName: 'gen_ai.tool.name',
  promptName: 'gen_ai.prompt.name',
  operationName: 'gen_ai.operation.name',
} as const

/** `flagMetadata` keys OpenFeature's telemetry helpers map to attributes. */
export const METADATA = { contextId: 'contextId', setId: 'flagSetId', version: 'version' } as const
