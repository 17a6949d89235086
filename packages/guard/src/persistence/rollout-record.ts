import type { FlagsIssue, JsonObject } from '@canarykit/core'
import type { Criterion, DecisionKind, Plan, RolloutPhase, RolloutState } from '../types.js'
import { pointer } from './rollout-targeting.js'

/**
 * The last action taken on a rollout, as the flags file records it.
 *
 * @example
 * const { lastDecision } = (await readRollouts('flags.json')).rollouts[0] ?? {}
 * console.log(`${lastDecision?.kind} by ${lastDecision?.actor}: ${lastDecision?.reason}`)
 */
export interface RecordedDecision {
  readonly kind: DecisionKind
  readonly reason: string
  readonly criterion?: Criterion
  /** Milliseconds since the epoch (written to the file as an ISO date). */
  readonly at: number
  /** `guard` for automatic decisions, else who acted (from the manual API or the CLI). */
  readonly actor: string
}

/**
 * One rollout as the flags file stores it under `canarykit.rollouts.<flagKey>`: the state the
 * guard resumes from, the last action, and what a rollback took out of the flag.
 *
 * @example
 * const r = (await readRollouts('flags.json')).rollouts.find((r) => r.flagKey === 'new-search')
 * console.log(r?.phase, r?.plan.stages[r.stage]?.percentage)
 */
export interface RolloutRecord extends Omit<RolloutState, 'lastDecision'> {
  readonly lastDecision?: RecordedDecision
  /** The flag's targeting when it was rolled back (a rollback removes it). */
  readonly originalTargeting?: JsonObject
  /** The flag's `defaultVariant` before a rollback set it to the baseline, when it differed. */
  readonly originalDefaultVariant?: string | null
}

const PHASES: readonly RolloutPhase[] = ['running', 'paused', 'rolled-back', 'completed']
const KINDS: readonly DecisionKind[] = ['continue', 'hold', 'proceed', 'rollback', 'complete']

/** The top-level key of the flags file the guard owns. */
export const SECTION = 'canarykit'

/**
 * Reads `canarykit.rollouts` from a parsed flags document. A malformed entry is reported (with
 * its JSON path) and skipped, never half-read.
 *
 * @internal
 */
export function readRecords(document: Record<string, unknown>): {
  records: RolloutRecord[]
  issues: FlagsIssue[]
} {
  const records: RolloutRecord[] = []
  const issues: FlagsIssue[] = []
  const section = document[SECTION]
  if (section === undefined) return { records, issues }
  if (!isObject(section))
    return { records, issues: [{ path: `/${SECTION}`, message: 'must be an object' }] }
  const rollouts = section['rollouts']
  if (rollouts === undefined) return { records, issues }
  if (!isObject(rollouts)) {
    return { records, issues: [{ path: `/${SECTION}/rollouts`, message: 'must be an object' }] }
  }
  const flags = isObject(document['flags']) ? document['flags'] : {}
  for (const [flagKey, raw] of Object.entries(rollouts)) {
    const path = `/${SECTION}/rollouts/${pointer(flagKey)}`
    const problems: FlagsIssue[] = []
    const problem = (field: string, message: string): void => {
      problems.push({ flagKey, path: field === '' ? path : `${path}/${field}`, message })
    }
    const record = parseRecord(flagKey, raw, flags[flagKey], problem)
    if (record !== undefined && problems.length === 0) records.push(record)
    issues.push(...problems)
  }
  return { records, issues }
}

function parseRecord(
  flagKey: string,
  raw: unknown,
  flag: unknown,
  problem: (field: string, message: string) => void,
): RolloutRecord | undefined {
  if (!isObject(raw)) {
    problem('', 'must be an object')
    return undefined
  }
  if (!isObject(flag)) {
    problem('', `there is no flag ${JSON.stringify(flagKey)} in "flags"`)
    return undefined
  }
  const variants = isObject(flag['variants']) ? flag['variants'] : {}
  const variant = (field: string): string => {
    const value = raw[field]
    if (typeof value !== 'string') problem(field, 'must be a variant name')
    else if (!Object.hasOwn(variants, value))
      problem(field, `${JSON.stringify(value)} is not a variant of the flag`)
    return String(value)
  }
  const baseline = variant('baseline')
  const canary = variant('canary')
  const plan = parsePlan(raw['plan'], problem)
  const phase = raw['phase']
  if (!PHASES.includes(phase as RolloutPhase))
    problem('phase', `must be one of ${PHASES.join(', ')}`)
  const stage = raw['stage']
  if (
    !Number.isInteger(stage) ||
    (stage as number) < 0 ||
    (stage as number) >= (plan?.stages.length ?? 1)
  ) {
    problem('stage', 'must be the index of a stage of the plan')
  }
  const epoch = raw['epoch'] ?? 0
  if (!Number.isInteger(epoch) || (epoch as number) < 0)
    problem('epoch', 'must be a non-negative integer')
  const stageStartedAt = parseTime(raw['stageStartedAt'])
  if (stageStartedAt === undefined) problem('stageStartedAt', 'must be an ISO date or milliseconds')
  const criteria = raw['criteria'] ?? {}
  if (!isObject(criteria)) problem('criteria', 'must be an object')
  const lastDecision = parseDecision(raw['lastDecision'], problem)
  const originalTargeting = raw['originalTargeting']
  if (originalTargeting !== undefined && !isObject(originalTargeting))
    problem('originalTargeting', 'must be an object')
  const originalDefault = raw['originalDefaultVariant']
  if (
    originalDefault !== undefined &&
    originalDefault !== null &&
    typeof originalDefault !== 'string'
  ) {
    problem('originalDefaultVariant', 'must be a variant name or null')
  }
  if (plan === undefined || stageStartedAt === undefined) return undefined
  return {
    flagKey,
    baseline,
    canary,
    plan,
    criteria,
    phase: phase as RolloutPhase,
    stage: stage as number,
    stageStartedAt,
    epoch: epoch as number,
    ...(lastDecision === undefined ? {} : { lastDecision }),
    ...(isObject(originalTargeting) ? { originalTargeting: originalTargeting as JsonObject } : {}),
    ...(originalDefault === undefined
      ? {}
      : { originalDefaultVariant: originalDefault as string | null }),
  }
}

function parsePlan(
  raw: unknown,
  problem: (field: string, message: string) => void,
): Plan | undefined {
  const stages = isObject(raw) ? raw['stages'] : undefined
  if (!Array.isArray(stages) || stages.length === 0) {
    problem('plan', 'must be { "stages": [...] } with at least one stage')
    return undefined
  }
  let ok = true
  stages.forEach((stage: unknown, i) => {
    const percentage = isObject(stage) ? stage['percentage'] : undefined
    const minDurationS = isObject(stage) ? stage['minDurationS'] : undefined
    if (typeof percentage !== 'number' || !(percentage >= 0 && percentage <= 100)) {
      problem(`plan/stages/${i}/percentage`, 'must be a number from 0 to 100')
      ok = false
    }
    if (minDurationS !== undefined && !(typeof minDurationS === 'number' && minDurationS >= 0)) {
      problem(`plan/stages/${i}/minDurationS`, 'must be a non-negative number of seconds')
      ok = false
    }
  })
  return ok ? (raw as Plan) : undefined
}

function parseDecision(
  raw: unknown,
  problem: (field: string, message: string) => void,
): RecordedDecision | undefined {
  if (raw === undefined) return undefined
  const at = isObject(raw) ? parseTime(raw['at']) : undefined
  if (!isObject(raw) || !KINDS.includes(raw['kind'] as DecisionKind) || at === undefined) {
    problem('lastDecision', `must be { "kind": ${KINDS.join('|')}, "reason", "at" }`)
    return undefined
  }
  const criterion = raw['criterion']
  return {
    kind: raw['kind'] as DecisionKind,
    reason: typeof raw['reason'] === 'string' ? raw['reason'] : '',
    ...(typeof criterion === 'string' ? { criterion: criterion as Criterion } : {}),
    at,
    actor: typeof raw['actor'] === 'string' ? raw['actor'] : 'unknown',
  }
}

/**
 * The record as written into the file: dates as ISO strings, keys in reading order.
 *
 * @internal
 */
export function recordToJson(record: RolloutRecord): JsonObject {
  const decision = record.lastDecision
  return {
    baseline: record.baseline,
    canary: record.canary,
    phase: record.phase,
    stage: record.stage,
    stageStartedAt: new Date(record.stageStartedAt).toISOString(),
    epoch: record.epoch,
    plan: record.plan as unknown as JsonObject,
    criteria: record.criteria as unknown as JsonObject,
    ...(decision === undefined
      ? {}
      : {
          lastDecision: {
            kind: decision.kind,
            reason: decision.reason,
            ...(decision.criterion === undefined ? {} : { criterion: decision.criterion }),
            at: new Date(decision.at).toISOString(),
            actor: decision.actor,
          },
        }),
    ...(record.originalTargeting === undefined
      ? {}
      : { originalTargeting: record.originalTargeting }),
    ...(record.originalDefaultVariant === undefined
      ? {}
      : { originalDefaultVariant: record.originalDefaultVariant }),
  }
}

/**
 * The state the pure rollout logic works on: the record without what only the file keeps (the
 * last action as recorded, what a rollback removed).
 *
 * @example
 * const next = promoteRollout(stateOf(record), Date.now(), { actor: 'alice', reason: 'looks good' })
 */
export function stateOf(record: RolloutRecord): RolloutState {
  const {
    lastDecision: _decision,
    originalTargeting: _targeting,
    originalDefaultVariant: _default,
    ...state
  } = record
  return state
}

function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value !== 'string') return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : ms
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
