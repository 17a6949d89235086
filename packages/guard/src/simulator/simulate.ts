import type { Criterion, Decision } from '../types.js'
import type { PolicyName } from './policy.js'
import { runSeed } from './random.js'
import type { Scenario } from './scenario.js'
import { simulateRun, type RunResult } from './simulate-run.js'
import { THRESHOLD_POLICY } from './threshold-policy.js'

export interface SimulateOptions {
  readonly runs: number
  readonly seed: number
  /** Default `canarykit`. */
  readonly policy?: PolicyName
  /** Sees every decision of run 0 (canarykit policy only), e.g. to print a trace. */
  readonly onDecision?: (decision: Decision) => void
  /** The threshold policy's failed checks in a row before a rollback. Default 3 (the seeds'). */
  readonly thresholdFailedChecks?: number
}

/** Nearest-rank percentiles over the runs that had the outcome; `null` when none did. */
export interface SimulationReport {
  readonly scenario: string
  readonly runs: number
  readonly seed: number
  readonly policy: PolicyName
  /** For the threshold policy: failed checks in a row that roll back. */
  readonly thresholdFailedChecks?: number
  readonly outcomes: {
    readonly completed: number
    readonly rolledBack: number
    readonly inProgress: number
  }
  readonly rollbackTimeS: {
    readonly p50: number
    readonly p90: number
    readonly max: number
  } | null
  readonly completeTimeS: { readonly p50: number; readonly p90: number } | null
  readonly canaryCallsServed: { readonly p50: number; readonly p90: number }
  /** Runs per highest canary share reached ("1", "10", "50", "100"). */
  readonly maxPercentageReached: Readonly<Record<string, number>>
  /** Rollbacks per criterion that triggered them. */
  readonly rollbackCriteria: Readonly<Partial<Record<Criterion, number>>>
  /** Stage moves made below the minimum sample (always 0 for canarykit). */
  readonly proceedsBelowMinSample: number
}

/**
 * Runs `scenario` `runs` times with independent seeds derived from `seed` and summarises the
 * outcomes. Deterministic: the same scenario, runs, seed and policy give the same report.
 *
 * @example
 * const report = simulate(parseScenario(json), { runs: 1000, seed: 1 })
 * report.outcomes.rolledBack // false rollbacks, for an A/A scenario
 */
export function simulate(scenario: Scenario, options: SimulateOptions): SimulationReport {
  const policy = options.policy ?? 'canarykit'
  const results: RunResult[] = []
  for (let i = 0; i < options.runs; i++) {
    const trace = i === 0 ? options.onDecision : undefined
    results.push(
      simulateRun(scenario, runSeed(options.seed, i), {
        policy,
        ...(trace === undefined ? {} : { onDecision: trace }),
        ...(options.thresholdFailedChecks === undefined
          ? {}
          : { thresholdFailedChecks: options.thresholdFailedChecks }),
      }),
    )
  }
  const report = summarize(scenario.name, options.runs, options.seed, policy, results)
  if (policy === 'canarykit') return report
  const { scenario: name, runs, seed, ...rest } = report
  const failedChecks = options.thresholdFailedChecks ?? THRESHOLD_POLICY.failedChecks
  return { scenario: name, runs, seed, thresholdFailedChecks: failedChecks, ...rest }
}

function summarize(
  name: string,
  runs: number,
  seed: number,
  policy: PolicyName,
  results: readonly RunResult[],
): SimulationReport {
  const rolledBack = results.filter((r) => r.outcome === 'rolled-back')
  const completed = results.filter((r) => r.outcome === 'completed')
  const rollbackTimes = sorted(rolledBack.map((r) => r.endS))
  const completeTimes = sorted(completed.map((r) => r.endS))
  const calls = sorted(results.map((r) => r.canaryCalls))
  const maxPercentageReached: Record<string, number> = {}
  const rollbackCriteria: Partial<Record<Criterion, number>> = {}
  let proceedsBelowMinSample = 0
  for (const r of results) {
    const key = String(r.maxPercentage)
    maxPercentageReached[key] = (maxPercentageReached[key] ?? 0) + 1
    if (r.rollbackCriterion !== undefined) {
      rollbackCriteria[r.rollbackCriterion] = (rollbackCriteria[r.rollbackCriterion] ?? 0) + 1
    }
    proceedsBelowMinSample += r.proceedsBelowMinSample
  }
  return {
    scenario: name,
    runs,
    seed,
    policy,
    outcomes: {
      completed: completed.length,
      rolledBack: rolledBack.length,
      inProgress: results.length - completed.length - rolledBack.length,
    },
    rollbackTimeS:
      rollbackTimes.length === 0
        ? null
        : {
            p50: rank(rollbackTimes, 0.5),
            p90: rank(rollbackTimes, 0.9),
            max: rank(rollbackTimes, 1),
          },
    completeTimeS:
      completeTimes.length === 0
        ? null
        : { p50: rank(completeTimes, 0.5), p90: rank(completeTimes, 0.9) },
    canaryCallsServed: { p50: rank(calls, 0.5), p90: rank(calls, 0.9) },
    maxPercentageReached,
    rollbackCriteria,
    proceedsBelowMinSample,
  }
}

function sorted(values: number[]): number[] {
  return values.sort((a, b) => a - b)
}

/** Nearest-rank percentile of sorted values (0 when there are none). */
function rank(values: readonly number[], q: number): number {
  if (values.length === 0) return 0
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))] ?? 0
}
