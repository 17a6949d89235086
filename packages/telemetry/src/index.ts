export { createPrometheusMetrics } from './prometheus-metrics.js'
export type { PrometheusMetrics, PrometheusMetricsOptions } from './prometheus-metrics.js'
export { metricsHandler } from './metrics-handler.js'
export type { MetricsHandler } from './metrics-handler.js'
export { createOtelMetrics } from './otel-metrics.js'
export type { OtelMetricsOptions } from './otel-metrics.js'
export { DEFAULT_DURATION_BUCKETS } from './metric-specs.js'
export { createEvaluationEvents } from './evaluation-events.js'
export type {
  EvaluationEventsOptions,
  EvaluationLogRecord,
  EventLogger,
} from './evaluation-events.js'
export { instrumentEngine } from './instrument-engine.js'
export type { InstrumentEngineOptions } from './instrument-engine.js'
export { openFeatureHook } from './openfeature-hook.js'
export type { EvaluationDetailsLike, HookContextLike, TelemetryHook } from './openfeature-hook.js'
export { tracingInterceptor } from './tracing-interceptor.js'
export type { TracingInterceptorOptions } from './tracing-interceptor.js'
export type {
  CallInterceptor,
  DecisionRecord,
  EvaluationRecord,
  EvaluationRecorder,
  RolloutRecorder,
  RolloutSnapshot,
  RoutedCall,
  TelemetryRecorder,
} from './types.js'
