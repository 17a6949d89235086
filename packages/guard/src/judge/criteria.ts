import type { FlagsIssue } from '@canarykit/core'
import type { Criteria } from '../types.js'

/**
 * The product defaults: error rate within +0.5 percentage points of the baseline, p99 latency
 * within +10 %, tool success within −1 point, a sample-ratio check at α = 0.001, α = 0.05 per
 * criterion and stage, and at least 50 calls and 5 sessions per variant before any verdict.
 *
 * @example
 * const criteria: Criteria = { ...DEFAULT_CRITERIA, errorRate: { maxRatio: 1.5 } }
 */
export const DEFAULT_CRITERIA = {
  errorRate: { maxIncrease: 0.005 },
  latency: { quantile: 0.99, maxIncrease: 0.1 },
  successRate: { maxDecrease: 0.01 },
  srm: { alpha: 0.001 },
  alpha: 0.05,
  minCallsPerVariant: 50,
  minSessionsPerVariant: 5,
} as const satisfies Criteria

/** Criteria with every default filled in; `false` = switched off. */
export interface ResolvedCriteria {
  readonly errorRate: { readonly maxIncrease?: number; readonly maxRatio?: number } | false
  readonly latency: { readonly quantile: number; readonly maxIncrease: number } | false
  readonly successRate: { readonly maxDecrease: number } | false
  readonly srm: { readonly alpha: number } | false
  readonly alpha: number
  readonly minCallsPerVariant: number
  readonly minSessionsPerVariant: number
}

/** The result of {@link resolveCriteria}: what to judge with, and what was wrong. */
export interface CriteriaResolution {
  readonly criteria: ResolvedCriteria
  /** Problems found; the offending fields fall back to their defaults. */
  readonly issues: readonly FlagsIssue[]
}

type Check = (value: number) => boolean

/**
 * Fills in the defaults. An `errorRate` object names its own limits: `{ maxRatio: 1.5 }` is the
 * ratio form alone; both fields mean both limits apply (the stricter one decides).
 *
 * @example
 * resolveCriteria({ latency: { quantile: 0.95, maxIncrease: 0.2 } }).criteria.latency
 * // { quantile: 0.95, maxIncrease: 0.2 }
 */
export function resolveCriteria(
  criteria: Criteria | undefined,
  path = '/criteria',
): CriteriaResolution {
  const issues: FlagsIssue[] = []
  const raw: Record<string, unknown> = isObject(criteria) ? criteria : {}
  if (criteria !== undefined && !isObject(criteria)) {
    issues.push({ path, message: 'criteria must be an object' })
  }

  function num(
    holder: Record<string, unknown>,
    key: string,
    at: string,
    fallback: number,
    ok: Check,
    rule: string,
  ): number {
    const value = holder[key]
    if (value === undefined) return fallback
    if (typeof value === 'number' && ok(value)) return value
    issues.push({ path: `${at}/${key}`, message: `${rule}, got ${JSON.stringify(value)}` })
    return fallback
  }

  function section(key: string): Record<string, unknown> | false | undefined {
    const value = raw[key]
    if (value === undefined || value === false) return value
    if (isObject(value)) return value
    issues.push({ path: `${path}/${key}`, message: 'must be an object or false' })
    return undefined
  }

  const unit: Check = (v) => v >= 0 && v <= 1
  const d = DEFAULT_CRITERIA

  const errorSection = section('errorRate')
  let errorRate: ResolvedCriteria['errorRate'] = false
  if (errorSection !== false) {
    const at = `${path}/errorRate`
    const s = errorSection ?? {}
    const hasIncrease = s['maxIncrease'] !== undefined
    const hasRatio = s['maxRatio'] !== undefined
    const maxIncrease = num(
      s,
      'maxIncrease',
      at,
      d.errorRate.maxIncrease,
      unit,
      'must be a rate in [0, 1]',
    )
    const maxRatio = num(
      s,
      'maxRatio',
      at,
      1.5,
      (v) => v >= 1 && v < Infinity,
      'must be a number ≥ 1',
    )
    errorRate =
      hasRatio && !hasIncrease
        ? { maxRatio }
        : hasRatio
          ? { maxIncrease, maxRatio }
          : { maxIncrease }
  }

  const latencySection = section('latency')
  const latency: ResolvedCriteria['latency'] =
    latencySection === false
      ? false
      : {
          quantile: num(
            latencySection ?? {},
            'quantile',
            `${path}/latency`,
            d.latency.quantile,
            (v) => v >= 0.5 && v < 1,
            'must be a quantile in [0.5, 1)',
          ),
          maxIncrease: num(
            latencySection ?? {},
            'maxIncrease',
            `${path}/latency`,
            d.latency.maxIncrease,
            (v) => v >= 0 && v < Infinity,
            'must be a relative increase ≥ 0',
          ),
        }

  const successSection = section('successRate')
  const successRate: ResolvedCriteria['successRate'] =
    successSection === false
      ? false
      : {
          maxDecrease: num(
            successSection ?? {},
            'maxDecrease',
            `${path}/successRate`,
            d.successRate.maxDecrease,
            unit,
            'must be a rate in [0, 1]',
          ),
        }

  const srmSection = section('srm')
  const srm: ResolvedCriteria['srm'] =
    srmSection === false
      ? false
      : {
          alpha: num(
            srmSection ?? {},
            'alpha',
            `${path}/srm`,
            d.srm.alpha,
            (v) => v > 0 && v < 0.5,
            'must be in (0, 0.5)',
          ),
        }

  const count: Check = (v) => Number.isInteger(v) && v >= 0
  return {
    criteria: {
      errorRate,
      latency,
      successRate,
      srm,
      alpha: num(raw, 'alpha', path, d.alpha, (v) => v > 0 && v < 0.5, 'must be in (0, 0.5)'),
      minCallsPerVariant: num(
        raw,
        'minCallsPerVariant',
        path,
        d.minCallsPerVariant,
        count,
        'must be an integer ≥ 0',
      ),
      minSessionsPerVariant: num(
        raw,
        'minSessionsPerVariant',
        path,
        d.minSessionsPerVariant,
        count,
        'must be an integer ≥ 0',
      ),
    },
    issues,
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
