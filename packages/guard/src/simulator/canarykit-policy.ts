import type { Decision, RolloutState } from '../types.js'
import { LatencySketch } from '../metrics/latency-sketch.js'
import type { MetricsSnapshot } from '../metrics/metrics-snapshot.js'
import { servedPercentage } from '../stages/plan.js'
import { createRolloutState } from '../stages/rollout-state.js'
import { stepRollout } from '../stages/step-rollout.js'
import type { PolicyVerdict, SimulatedPolicy } from './policy.js'
import type { Scenario } from './scenario.js'
import type { TickTraffic } from './tick.js'

/** One variant's evidence for the current stage, in the shape the judge reads. */
class StageEvidence {
  calls = 0
  errors = 0
  successObserved = 0
  successes = 0
  sessions = 0
  readonly latency = new LatencySketch()

  add(tick: TickTraffic): void {
    this.calls += tick.calls
    this.errors += tick.errors
    this.successObserved += tick.calls
    this.successes += tick.successes
    this.sessions += tick.sessions
    this.latency.addCounts(tick.firstIndex, tick.histogram, tick.low, tick.high)
  }

  clear(): void {
    this.calls = this.errors = this.successObserved = this.successes = this.sessions = 0
    this.latency.clear()
  }
}

/**
 * canarykit's own policy: the real judge and stage machine (`stepRollout`) on the simulated
 * evidence, with the clock at the simulated time.
 */
export class CanarykitPolicy implements SimulatedPolicy {
  private state: RolloutState
  private readonly baseline = new StageEvidence()
  private readonly canary = new StageEvidence()
  private readonly snapshot: MetricsSnapshot

  constructor(
    scenario: Scenario,
    private readonly onDecision?: (decision: Decision) => void,
  ) {
    this.state = createRolloutState({
      flagKey: scenario.name,
      baseline: 'baseline',
      canary: 'canary',
      plan: scenario.plan,
      criteria: scenario.criteria,
      now: 0,
    })
    this.snapshot = {
      flagKey: scenario.name,
      sessionsFrom: 'assigned',
      variants: { baseline: this.baseline, canary: this.canary },
    }
  }

  get percentage(): number {
    return servedPercentage(this.state)
  }

  observe(baseline: TickTraffic, canary: TickTraffic): void {
    this.baseline.add(baseline)
    this.canary.add(canary)
  }

  decide(nowS: number): PolicyVerdict {
    const before = this.state
    const { state, decision } = stepRollout(before, this.snapshot, nowS * 1000)
    this.state = state
    this.onDecision?.(decision)
    if (state.stage !== before.stage || state.stageStartedAt !== before.stageStartedAt) {
      this.baseline.clear()
      this.canary.clear()
    }
    return decision.criterion === undefined
      ? { kind: decision.kind }
      : { kind: decision.kind, criterion: decision.criterion }
  }
}
