export { createEngine } from './engine.js'
export { METADATA_KEYS } from './contracts.js'
export type {
  Assignment,
  CallInterceptor,
  Outcome,
  OutcomeSink,
  RoutedCall,
  VariantEvaluator,
  VariantResolution,
} from './contracts.js'
export type { Engine, EngineOptions, LoadOptions, LoadResult } from './engine.js'
export { FlagsError, isFlagsError, describeIssue } from './errors.js'
export type { FlagsErrorCode, FlagsErrorOptions, FlagsIssue } from './errors.js'
export type { FlagDefinition, FlagsDocument } from './load/flags-document.js'
export type {
  BulkResolution,
  Clock,
  ErrorCode,
  EvaluationContext,
  FailedResolution,
  FlagMetadata,
  FlagValue,
  FlagValueType,
  JsonObject,
  JsonValue,
  Logger,
  Reason,
  ResolvedValue,
  Resolution,
  UnresolvedValue,
} from './types.js'
export { attributeIn, beta, internal, region, tier } from './segments/conditions.js'
export type { Condition, InternalOptions } from './segments/conditions.js'
export {
  PERCENT_SCALE,
  percentageSplit,
  rolloutFlag,
  rolloutTargeting,
} from './segments/rollout.js'
export type { Cohort, RolloutFlagOptions, RolloutOptions } from './segments/rollout.js'
export { murmur3 } from './hash/murmur3.js'
export { bucketOf, HASH_VERSION } from './hash/bucket.js'
