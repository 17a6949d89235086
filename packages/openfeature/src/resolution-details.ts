import type { ErrorCode as CoreErrorCode, Reason as CoreReason, Resolution } from '@canarykit/core'
import type {
  ErrorCode,
  ResolutionDetails,
  StandardResolutionReasons,
} from '@openfeature/server-sdk'

/*
 * core spells reasons and error codes exactly as OpenFeature does, so a core resolution already
 * is a valid `ResolutionDetails` (the SDK copies it, so sharing core's frozen objects is safe).
 * These checks fail to compile if either side ever renames one.
 */
type Assert<T extends true> = T
export type CoreCodesAreOpenFeatureCodes = Assert<
  CoreErrorCode extends `${ErrorCode}` ? true : false
>
export type CoreReasonsAreOpenFeatureReasons = Assert<
  CoreReason extends (typeof StandardResolutionReasons)[keyof typeof StandardResolutionReasons]
    ? true
    : false
>

/**
 * Maps a core resolution one to one onto OpenFeature's: value, variant, reason, flagMetadata,
 * and on failure errorCode + errorMessage (the SDK then returns the caller's default).
 *
 * @internal
 */
export function toResolutionDetails<T>(resolution: Resolution<unknown>): ResolutionDetails<T> {
  return resolution as unknown as ResolutionDetails<T>
}
