import { FlagsError, type FlagsIssue } from '@canarykit/core'
import { resolveCriteria } from '../judge/criteria.js'
import { DEFAULT_PLAN, validatePlan } from '../stages/plan.js'
import type { Criteria, Plan } from '../types.js'

/** How one variant behaves: every call errs, succeeds and takes time independently. */
export interface VariantProfile {
  /** Share of calls that fail (throw or return an error). */
  readonly errorRate: number
  /** Share of calls the success predicate accepts (errors never succeed). */
  readonly successRate: number
  /** Latency, log-normal through these two quantiles. */
  readonly latencyMs: { readonly p50: number; readonly p99: number }
}

/** From `atS` seconds on, the canary behaves differently (unnamed fields stay). */
export interface CanaryChange {
  readonly atS: number
  readonly errorRate?: number
  readonly successRate?: number
  readonly latencyMs?: { readonly p50?: number; readonly p99?: number }
}

/** A simulated rollout: traffic, both variants, the plan and the criteria. */
export interface Scenario {
  readonly name: string
  readonly description?: string
  /** Simulated time; a run still rolling out then ends `in-progress`. Default 14400 (4 h). */
  readonly durationS: number
  /** The guard checks every this many seconds. Default 5. */
  readonly checkIntervalS: number
  readonly traffic: {
    /** Calls per second over both variants. Default 100. */
    readonly rps: number
    /** Calls per session; rps / callsPerSession sessions start per second. Default 10. */
    readonly callsPerSession: number
    /**
     * Mean session length in seconds. 0 (default): calls split by the current percentage at
     * once. Above 0: sessions stay on their variant for an exponential lifetime, so after a
     * stage change the canary's share of calls catches up gradually.
     */
    readonly sessionDurationS: number
  }
  readonly baseline: VariantProfile
  /** Defaults to the baseline (an A/A test). */
  readonly canary: VariantProfile
  readonly canaryChanges: readonly CanaryChange[]
  readonly plan: Plan
  readonly criteria: Criteria
}

const DEFAULT_PROFILE: VariantProfile = {
  errorRate: 0.01,
  successRate: 0.98,
  latencyMs: { p50: 120, p99: 400 },
}

/**
 * Reads a scenario (parsed JSON), filling in defaults. Throws INVALID_CONFIG listing every
 * problem with its JSON path.
 *
 * @example
 * const scenario = parseScenario(JSON.parse(text), 'aa.json')
 */
export function parseScenario(json: unknown, source?: string): Scenario {
  const issues: FlagsIssue[] = []
  const root = isObject(json) ? json : {}
  if (!isObject(json)) issues.push({ path: '', message: 'a scenario must be a JSON object' })

  const number = (
    holder: Record<string, unknown>,
    key: string,
    path: string,
    fallback: number,
    ok: (v: number) => boolean,
    rule: string,
  ): number => {
    const value = holder[key]
    if (value === undefined) return fallback
    if (typeof value === 'number' && ok(value)) return value
    issues.push({ path: `${path}/${key}`, message: `${rule}, got ${JSON.stringify(value)}` })
    return fallback
  }
  const object = (
    holder: Record<string, unknown>,
    key: string,
    path: string,
  ): Record<string, unknown> => {
    const value = holder[key]
    if (value === undefined) return {}
    if (isObject(value)) return value
    issues.push({ path: `${path}/${key}`, message: 'must be an object' })
    return {}
  }
  const rate = (v: number): boolean => v >= 0 && v <= 1
  const positive = (v: number): boolean => v > 0 && v < Infinity

  const profile = (key: string, fallback: VariantProfile): VariantProfile => {
    const raw = object(root, key, '')
    const latency = object(raw, 'latencyMs', `/${key}`)
    const p50 = number(
      latency,
      'p50',
      `/${key}/latencyMs`,
      fallback.latencyMs.p50,
      positive,
      'must be > 0',
    )
    const p99 = number(
      latency,
      'p99',
      `/${key}/latencyMs`,
      fallback.latencyMs.p99,
      (v) => v >= p50 && v < Infinity,
      'must be ≥ p50',
    )
    return {
      errorRate: number(
        raw,
        'errorRate',
        `/${key}`,
        fallback.errorRate,
        rate,
        'must be a rate in [0, 1]',
      ),
      successRate: number(
        raw,
        'successRate',
        `/${key}`,
        fallback.successRate,
        rate,
        'must be a rate in [0, 1]',
      ),
      latencyMs: { p50, p99 },
    }
  }

  const name = root['name'] ?? 'scenario'
  if (typeof name !== 'string') issues.push({ path: '/name', message: 'must be a string' })
  const description = root['description']
  const traffic = object(root, 'traffic', '')
  const baseline = profile('baseline', DEFAULT_PROFILE)
  const canary = profile('canary', baseline)

  const changes: CanaryChange[] = []
  const rawChanges = root['canaryChanges'] ?? []
  if (!Array.isArray(rawChanges))
    issues.push({ path: '/canaryChanges', message: 'must be an array' })
  else {
    rawChanges.forEach((raw: unknown, i) => {
      const path = `/canaryChanges/${i}`
      if (!isObject(raw)) {
        issues.push({
          path,
          message: 'must be an object { atS, errorRate?, successRate?, latencyMs? }',
        })
        return
      }
      const atS = number(
        raw,
        'atS',
        path,
        NaN,
        (v) => v >= 0 && v < Infinity,
        'must be a time in seconds ≥ 0',
      )
      if (raw['atS'] === undefined) issues.push({ path: `${path}/atS`, message: 'is required' })
      const latency = object(raw, 'latencyMs', path)
      const change: CanaryChange = {
        atS,
        ...optional(
          raw,
          'errorRate',
          number(raw, 'errorRate', path, 0, rate, 'must be a rate in [0, 1]'),
        ),
        ...optional(
          raw,
          'successRate',
          number(raw, 'successRate', path, 0, rate, 'must be a rate in [0, 1]'),
        ),
        ...(raw['latencyMs'] === undefined
          ? {}
          : {
              latencyMs: {
                ...optional(
                  latency,
                  'p50',
                  number(latency, 'p50', `${path}/latencyMs`, 0, positive, 'must be > 0'),
                ),
                ...optional(
                  latency,
                  'p99',
                  number(latency, 'p99', `${path}/latencyMs`, 0, positive, 'must be > 0'),
                ),
              },
            }),
      }
      changes.push(change)
    })
  }

  const plan = (root['plan'] ?? DEFAULT_PLAN) as Plan
  issues.push(...validatePlan(plan))
  const criteria = (root['criteria'] ?? {}) as Criteria
  issues.push(...resolveCriteria(criteria).issues)

  const scenario: Scenario = {
    name: typeof name === 'string' ? name : 'scenario',
    ...(typeof description === 'string' ? { description } : {}),
    durationS: number(root, 'durationS', '', 14400, positive, 'must be a number of seconds > 0'),
    checkIntervalS: number(
      root,
      'checkIntervalS',
      '',
      5,
      positive,
      'must be a number of seconds > 0',
    ),
    traffic: {
      rps: number(traffic, 'rps', '/traffic', 100, (v) => v >= 0 && v < Infinity, 'must be ≥ 0'),
      callsPerSession: number(
        traffic,
        'callsPerSession',
        '/traffic',
        10,
        (v) => v >= 1 && v < Infinity,
        'must be ≥ 1',
      ),
      sessionDurationS: number(
        traffic,
        'sessionDurationS',
        '/traffic',
        0,
        (v) => v >= 0 && v < Infinity,
        'must be ≥ 0',
      ),
    },
    baseline,
    canary,
    canaryChanges: [...changes].sort((x, y) => x.atS - y.atS),
    plan,
    criteria,
  }
  if (issues.length > 0) {
    throw new FlagsError('INVALID_CONFIG', 'invalid scenario', {
      ...(source === undefined ? {} : { source }),
      issues,
    })
  }
  return scenario
}

/** `{ [key]: value }` when `holder` has `key`, else `{}`. */
function optional<K extends string>(
  holder: Record<string, unknown>,
  key: K,
  value: number,
): Partial<Record<K, number>> {
  return holder[key] === undefined ? {} : ({ [key]: value } as Record<K, number>)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
