import {
  FlagsError,
  type ErrorCode,
  type EvaluationContext,
  type FlagMetadata,
  type FlagValue,
  type Reason,
  type VariantEvaluator,
  type VariantResolution,
} from '@canarykit/core'

/** The part of an OpenFeature `EvaluationDetails` the router reads. */
export interface OpenFeatureDetails {
  readonly value: unknown
  readonly variant?: string | undefined
  readonly reason?: string | undefined
  readonly errorCode?: string | undefined
  readonly errorMessage?: string | undefined
  readonly flagMetadata?: FlagMetadata | undefined
}

/**
 * The methods of an OpenFeature server `Client` (`OpenFeature.getClient()`) the adapter calls.
 * Declared structurally, so this package needs no runtime import of the OpenFeature SDK.
 *
 * @example
 * const client: OpenFeatureClientLike = OpenFeature.getClient('mcp')
 */
export interface OpenFeatureClientLike {
  getStringDetails(
    flagKey: string,
    defaultValue: string,
    context?: EvaluationContext,
  ): PromiseLike<OpenFeatureDetails>
  getBooleanDetails(
    flagKey: string,
    defaultValue: boolean,
    context?: EvaluationContext,
  ): PromiseLike<OpenFeatureDetails>
  getNumberDetails(
    flagKey: string,
    defaultValue: number,
    context?: EvaluationContext,
  ): PromiseLike<OpenFeatureDetails>
  getObjectDetails(
    flagKey: string,
    defaultValue: Record<string, never>,
    context?: EvaluationContext,
  ): PromiseLike<OpenFeatureDetails>
}

/** Options for {@link openFeatureEvaluator}. */
export interface OpenFeatureEvaluatorOptions {
  /** The flag's value type, which picks the client method. Default `string`. */
  readonly type?: 'string' | 'boolean' | 'number' | 'object'
}

const REASONS: ReadonlySet<string> = new Set<Reason>(['STATIC', 'TARGETING_MATCH', 'DEFAULT'])
const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'FLAG_NOT_FOUND',
  'PARSE_ERROR',
  'TYPE_MISMATCH',
  'GENERAL',
  'INVALID_CONTEXT',
])
const NO_METADATA: FlagMetadata = Object.freeze({})

/**
 * Adapts an OpenFeature client to the router's evaluator: the variant name of the flag's
 * details selects the implementation. A provider that sets no variant on a string flag is read
 * by value (the value names the implementation). Errors come back as `ERROR` resolutions.
 *
 * @example
 * await OpenFeature.setProviderAndWait(provider)
 * const evaluator = openFeatureEvaluator(OpenFeature.getClient())
 * server.registerTool('search', config, canaryTool({ flag: 'search-v2', variants, evaluator }))
 */
export function openFeatureEvaluator(
  client: OpenFeatureClientLike,
  options: OpenFeatureEvaluatorOptions = {},
): VariantEvaluator {
  const type = options.type ?? 'string'
  const details = detailsOf(client, type)
  return {
    resolveVariant: (flagKey, context) =>
      details(flagKey, context).then((d) => toResolution(flagKey, d, type === 'string')),
  }
}

function detailsOf(
  client: OpenFeatureClientLike,
  type: NonNullable<OpenFeatureEvaluatorOptions['type']>,
): (flagKey: string, context: EvaluationContext) => PromiseLike<OpenFeatureDetails> {
  switch (type) {
    case 'string':
      return (flagKey, context) => client.getStringDetails(flagKey, '', context)
    case 'boolean':
      return (flagKey, context) => client.getBooleanDetails(flagKey, false, context)
    case 'number':
      return (flagKey, context) => client.getNumberDetails(flagKey, 0, context)
    case 'object':
      return (flagKey, context) => client.getObjectDetails(flagKey, {}, context)
    default:
      throw new FlagsError('INVALID_CONFIG', `unknown flag type ${JSON.stringify(type)}`)
  }
}

/** OpenFeature details → core's resolution; reasons and codes core does not name are folded. */
function toResolution(flagKey: string, d: OpenFeatureDetails, byValue: boolean): VariantResolution {
  const flagMetadata = d.flagMetadata ?? NO_METADATA
  if (d.reason === 'ERROR' || d.errorCode !== undefined) {
    const code = d.errorCode ?? 'GENERAL'
    const known = ERROR_CODES.has(code)
    return {
      flagKey,
      reason: 'ERROR',
      errorCode: known ? (code as ErrorCode) : 'GENERAL',
      errorMessage: known ? (d.errorMessage ?? code) : `${code}: ${d.errorMessage ?? ''}`,
      flagMetadata,
    }
  }
  const variant = d.variant ?? (byValue && typeof d.value === 'string' ? d.value : undefined)
  if (d.reason === 'DISABLED') return { flagKey, reason: 'DISABLED', flagMetadata }
  if (variant === undefined || variant === '') return { flagKey, reason: 'DEFAULT', flagMetadata }
  // OpenFeature's SPLIT, CACHED, STALE, UNKNOWN: a rule or a cache chose this variant.
  const reason =
    d.reason !== undefined && REASONS.has(d.reason)
      ? (d.reason as Exclude<Reason, 'ERROR' | 'DISABLED'>)
      : 'TARGETING_MATCH'
  return { flagKey, value: d.value as FlagValue, variant, reason, flagMetadata }
}
