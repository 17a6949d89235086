import { resolveCriteria } from '../judge/criteria.js'
import type { Criterion, Decision } from '../types.js'
import { CanarykitPolicy } from './canarykit-policy.js'
import type { PolicyName, SimulatedPolicy } from './policy.js'
import { Random } from './random.js'
import type { Scenario, VariantProfile } from './scenario.js'
import { ThresholdPolicy } from './threshold-policy.js'
import { TickTraffic, VariantSource } from './tick.js'

/** How one simulated rollout ended. */
export interface RunResult {
  readonly outcome: 'completed' | 'rolled-back' | 'in-progress'
  /** Seconds from the start to the rollback or completion (the duration when in progress). */
  readonly endS: number
  /** Calls the canary served in the whole run (the blast radius). */
  readonly canaryCalls: number
  /** The highest canary share served, 0..100. */
  readonly maxPercentage: number
  readonly rollbackCriterion?: Criterion
  /** Stage moves made while a variant had fewer calls or sessions than the criteria's minimum. */
  readonly proceedsBelowMinSample: number
}

/** Sketch accuracy of the simulated latencies (the guard's default, 1 %). */
const GAMMA = 1.01 / 0.99
const LN_GAMMA = Math.log(GAMMA)

/** How to run one rollout. */
export interface RunOptions {
  readonly policy: PolicyName
  /** Sees every decision (canarykit policy only). */
  readonly onDecision?: (decision: Decision) => void
  /** The threshold policy's failed checks in a row before a rollback. Default 3. */
  readonly thresholdFailedChecks?: number
}

/**
 * Runs one rollout of `scenario` under a policy on a virtual clock: per check interval it draws
 * the new sessions, each variant's calls, errors, successes and latencies, then lets the policy
 * decide. Deterministic for a given seed.
 *
 * @example
 * const result = simulateRun(parseScenario(json), 42, { policy: 'canarykit' })
 */
export function simulateRun(scenario: Scenario, seed: number, options: RunOptions): RunResult {
  const random = new Random(seed)
  const { traffic, durationS, checkIntervalS } = scenario
  const criteria = resolveCriteria(scenario.criteria).criteria
  const baselineSource = new VariantSource(scenario.baseline, LN_GAMMA)
  let canaryProfile = scenario.canary
  const canarySource = new VariantSource(canaryProfile, LN_GAMMA)

  const { first, last } = bucketRange(scenario)
  const baselineTick = new TickTraffic(first, last - first + 1)
  const canaryTick = new TickTraffic(first, last - first + 1)
  const policy: SimulatedPolicy =
    options.policy === 'canarykit'
      ? new CanarykitPolicy(scenario, options.onDecision)
      : new ThresholdPolicy(scenario.plan, last - first + 1, GAMMA, options.thresholdFailedChecks)

  const sessionRate = traffic.rps / traffic.callsPerSession
  const lifetime = traffic.sessionDurationS
  // With session lifetimes, the service was already serving the baseline at steady state.
  let activeBaseline = lifetime > 0 ? Math.round(sessionRate * lifetime) : 0
  let activeCanary = 0
  // Since the current stage started: the fewest calls and sessions of either variant.
  const stage = { baselineCalls: 0, canaryCalls: 0, baselineSessions: 0, canarySessions: 0 }
  let change = 0
  let canaryCalls = 0
  let maxPercentage = policy.percentage
  let proceedsBelowMinSample = 0
  let t = 0

  while (t < durationS - 1e-9) {
    while (
      change < scenario.canaryChanges.length &&
      (scenario.canaryChanges[change]?.atS ?? Infinity) <= t
    ) {
      canaryProfile = applyChange(canaryProfile, scenario.canaryChanges[change])
      canarySource.set(canaryProfile)
      change++
    }
    const dt = Math.min(checkIntervalS, durationS - t)
    const share = policy.percentage / 100
    baselineTick.clear()
    canaryTick.clear()
    const arrivals = random.poisson(sessionRate * dt)
    canaryTick.sessions = random.binomial(arrivals, share)
    baselineTick.sessions = arrivals - canaryTick.sessions
    let baselineCalls: number
    let canaryCallsNow: number
    if (lifetime > 0) {
      const leave = -Math.expm1(-dt / lifetime)
      activeBaseline += baselineTick.sessions - random.binomial(activeBaseline, leave)
      activeCanary += canaryTick.sessions - random.binomial(activeCanary, leave)
      const perSession = (traffic.callsPerSession / lifetime) * dt
      baselineCalls = random.poisson(activeBaseline * perSession)
      canaryCallsNow = random.poisson(activeCanary * perSession)
    } else {
      baselineCalls = random.poisson(traffic.rps * dt * (1 - share))
      canaryCallsNow = random.poisson(traffic.rps * dt * share)
    }
    baselineSource.draw(random, baselineCalls, baselineTick)
    canarySource.draw(random, canaryCallsNow, canaryTick)
    canaryCalls += canaryCallsNow
    stage.baselineCalls += baselineCalls
    stage.canaryCalls += canaryCallsNow
    stage.baselineSessions += baselineTick.sessions
    stage.canarySessions += canaryTick.sessions
    t += dt

    policy.observe(baselineTick, canaryTick, t)
    const verdict = policy.decide(t)
    if (verdict.kind === 'rollback') {
      return {
        outcome: 'rolled-back',
        endS: t,
        canaryCalls,
        maxPercentage,
        ...(verdict.criterion === undefined ? {} : { rollbackCriterion: verdict.criterion }),
        proceedsBelowMinSample,
      }
    }
    if (verdict.kind === 'proceed' || verdict.kind === 'complete') {
      const short =
        Math.min(stage.baselineCalls, stage.canaryCalls) < criteria.minCallsPerVariant ||
        Math.min(stage.baselineSessions, stage.canarySessions) < criteria.minSessionsPerVariant
      if (short && share < 1) proceedsBelowMinSample++
      Object.assign(stage, {
        baselineCalls: 0,
        canaryCalls: 0,
        baselineSessions: 0,
        canarySessions: 0,
      })
      maxPercentage = Math.max(maxPercentage, policy.percentage)
      if (verdict.kind === 'complete') {
        return { outcome: 'completed', endS: t, canaryCalls, maxPercentage, proceedsBelowMinSample }
      }
    }
  }
  return {
    outcome: 'in-progress',
    endS: durationS,
    canaryCalls,
    maxPercentage,
    proceedsBelowMinSample,
  }
}

function applyChange(
  profile: VariantProfile,
  change: Scenario['canaryChanges'][number] | undefined,
): VariantProfile {
  if (change === undefined) return profile
  return {
    errorRate: change.errorRate ?? profile.errorRate,
    successRate: change.successRate ?? profile.successRate,
    latencyMs: {
      p50: change.latencyMs?.p50 ?? profile.latencyMs.p50,
      p99: change.latencyMs?.p99 ?? profile.latencyMs.p99,
    },
  }
}

/** The bucket indices any variant of the scenario can produce, at any time. */
function bucketRange(scenario: Scenario): { first: number; last: number } {
  let profile = scenario.canary
  const profiles = [scenario.baseline, profile]
  for (const change of scenario.canaryChanges) {
    profile = applyChange(profile, change)
    profiles.push(profile)
  }
  let first = Infinity
  let last = -Infinity
  for (const p of profiles) {
    const range = new VariantSource(p, LN_GAMMA).bucketRange
    first = Math.min(first, range.first)
    last = Math.max(last, range.last)
  }
  return { first, last }
}
