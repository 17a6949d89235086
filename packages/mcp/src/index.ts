export { canaryTool, createCanaryRouter } from './canary-router.js'
export type { CanaryRouter, CanaryRouterOptions, RouteOptions } from './canary-router.js'
export type { ContextMapper, ContextSource } from './decide.js'
export { DEFAULT_OVERRIDE_HEADER } from './header-override.js'
export type { HeaderOverrideOptions } from './header-override.js'
export { openFeatureEvaluator } from './openfeature-evaluator.js'
export type {
  OpenFeatureClientLike,
  OpenFeatureDetails,
  OpenFeatureEvaluatorOptions,
} from './openfeature-evaluator.js'
export { createOutcomeRecorder } from './outcome-recorder.js'
export type {
  LatencySummary,
  OutcomeRecorder,
  OutcomeRecorderOptions,
  VariantStats,
} from './outcome-recorder.js'
export { createPinStore } from './pin-store.js'
export type { Pin, PinStore, PinStoreOptions } from './pin-store.js'
export { DEFAULT_SESSION_KEY } from './session-key.js'
export type { SessionKeySource } from './session-key.js'
export type {
  AnyPromptCallback,
  AnyResourceCallback,
  AnyToolCallback,
  CallInterceptor,
  RequestExtra,
  RoutedCall,
} from './types.js'
export { VARIANT_META_KEY } from './variant-meta.js'
