import { completesAfter } from '../stages/plan.js'
import type { Plan } from '../types.js'
import type { PolicyVerdict, SimulatedPolicy } from './policy.js'
import type { TickTraffic } from './tick.js'

/**
 * The seeds' analyzer, for comparison: every check looks at the last 300 s only and fails when
 * the canary's error rate is above 1.5 × the baseline's or its p95 latency above 1.2 × the
 * baseline's; 3 failed checks in a row roll back; a stage proceeds once its dwell time passed.
 *
 * @example
 * simulate(scenario, { runs: 1000, seed: 1, policy: 'threshold' }) // the seeds' analyzer
 */
export const THRESHOLD_POLICY = {
  windowS: 300,
  maxErrorRatio: 1.5,
  maxP95Ratio: 1.2,
  failedChecks: 3,
} as const

interface Slice {
  readonly endS: number
  readonly calls: number
  readonly errors: number
  readonly low: number
  readonly counts: Int32Array
}

/** One variant's traffic over the trailing window. */
class TrailingWindow {
  calls = 0
  errors = 0
  latencies = 0
  private readonly slices: Slice[] = []
  private readonly histogram: Float64Array

  constructor(size: number) {
    this.histogram = new Float64Array(size)
  }

  push(tick: TickTraffic, endS: number): void {
    const low = tick.low <= tick.high ? tick.low : 0
    const counts = tick.histogram.slice(low, Math.max(low, tick.high + 1))
    this.slices.push({ endS, calls: tick.calls, errors: tick.errors, low, counts })
    this.apply(tick.calls, tick.errors, low, counts, 1)
  }

  /** Drops slices that ended at or before `fromS`. */
  evict(fromS: number): void {
    while (this.slices.length > 0 && (this.slices[0]?.endS ?? Infinity) <= fromS) {
      const old = this.slices.shift()
      if (old !== undefined) this.apply(old.calls, old.errors, old.low, old.counts, -1)
    }
  }

  /** The bucket (histogram slot) holding the q-quantile; -1 when empty. */
  quantileSlot(q: number): number {
    if (this.latencies === 0) return -1
    const rank = q * (this.latencies - 1)
    let seen = 0
    for (let slot = 0; slot < this.histogram.length; slot++) {
      seen += this.histogram[slot] ?? 0
      if (seen > rank) return slot
    }
    return this.histogram.length - 1
  }

  private apply(
    calls: number,
    errors: number,
    low: number,
    counts: Int32Array,
    sign: 1 | -1,
  ): void {
    this.calls += sign * calls
    this.errors += sign * errors
    for (let i = 0; i < counts.length; i++) {
      const n = counts[i] ?? 0
      if (n === 0) continue
      this.histogram[low + i] = (this.histogram[low + i] ?? 0) + sign * n
      this.latencies += sign * n
    }
  }
}

/** The threshold policy of {@link THRESHOLD_POLICY} under simulation. */
export class ThresholdPolicy implements SimulatedPolicy {
  private readonly failedChecks: number
  private stage = 0
  private stageStartS = 0
  private failures = 0
  private done = false
  private readonly baseline: TrailingWindow
  private readonly canary: TrailingWindow

  constructor(
    private readonly plan: Plan,
    histogramSize: number,
    private readonly gamma: number,
    /** Failed checks in a row that roll back. Default 3 (the seeds'). */
    failedChecks: number = THRESHOLD_POLICY.failedChecks,
  ) {
    this.failedChecks = failedChecks
    this.baseline = new TrailingWindow(histogramSize)
    this.canary = new TrailingWindow(histogramSize)
  }

  get percentage(): number {
    return this.plan.stages[this.stage]?.percentage ?? 0
  }

  observe(baseline: TickTraffic, canary: TickTraffic, endS: number): void {
    this.baseline.push(baseline, endS)
    this.canary.push(canary, endS)
  }

  decide(nowS: number): PolicyVerdict {
    if (this.done) return { kind: 'hold' }
    this.baseline.evict(nowS - THRESHOLD_POLICY.windowS)
    this.canary.evict(nowS - THRESHOLD_POLICY.windowS)
    const errorFail = this.errorRateFails()
    const latencyFail = this.p95Fails()
    this.failures = errorFail || latencyFail ? this.failures + 1 : 0
    if (this.failures >= this.failedChecks) {
      this.done = true
      return { kind: 'rollback', criterion: errorFail ? 'error-rate' : 'latency' }
    }
    const dwellS = this.plan.stages[this.stage]?.minDurationS ?? 0
    if (nowS - this.stageStartS < dwellS) return { kind: 'continue', criterion: 'dwell' }
    if (completesAfter(this.plan, this.stage)) {
      this.stage = this.plan.stages.length - 1
      this.done = true
      return { kind: 'complete' }
    }
    this.stage++
    this.stageStartS = nowS
    return { kind: 'proceed' }
  }

  private errorRateFails(): boolean {
    const b = this.baseline
    const c = this.canary
    if (b.calls === 0 || c.calls === 0) return false
    return c.errors / c.calls > (THRESHOLD_POLICY.maxErrorRatio * b.errors) / b.calls
  }

  private p95Fails(): boolean {
    const b = this.baseline.quantileSlot(0.95)
    const c = this.canary.quantileSlot(0.95)
    if (b < 0 || c < 0) return false
    // Both slots share an offset, so the ratio of bucket values is gamma^(c − b).
    return Math.pow(this.gamma, c - b) > THRESHOLD_POLICY.maxP95Ratio
  }
}
