import { LatencyModel } from './latency-model.js'
import type { Random } from './random.js'
import type { VariantProfile } from './scenario.js'

/*
 * One check interval of one variant's synthetic traffic, drawn in aggregate: binomial error and
 * success counts, and one alias-table draw per call into a reusable histogram of sketch bucket
 * indices — no object per call.
 */

/** What one variant did during one tick. */
export class TickTraffic {
  calls = 0
  errors = 0
  successes = 0
  /** New sessions assigned to the variant. */
  sessions = 0
  /** Latency counts per bucket index, offset by `firstIndex`; only [low, high] is touched. */
  readonly histogram: Int32Array
  readonly firstIndex: number
  low = Infinity
  high = -Infinity

  constructor(firstIndex: number, size: number) {
    this.firstIndex = firstIndex
    this.histogram = new Int32Array(size)
  }

  clear(): void {
    this.calls = this.errors = this.successes = this.sessions = 0
    if (this.low <= this.high) this.histogram.fill(0, this.low, this.high + 1)
    this.low = Infinity
    this.high = -Infinity
  }
}

/** A variant's behaviour, ready to draw ticks from. */
export class VariantSource {
  private profile!: VariantProfile
  private model!: LatencyModel
  private successAmongOk = 0

  constructor(
    profile: VariantProfile,
    private readonly lnGamma: number,
  ) {
    this.set(profile)
  }

  set(profile: VariantProfile): void {
    this.profile = profile
    this.model = new LatencyModel(profile.latencyMs.p50, profile.latencyMs.p99, this.lnGamma)
    const ok = 1 - profile.errorRate
    this.successAmongOk = ok > 0 ? Math.min(1, profile.successRate / ok) : 0
  }

  get bucketRange(): { readonly first: number; readonly last: number } {
    return { first: this.model.firstIndex, last: this.model.firstIndex + this.model.size - 1 }
  }

  /** Draws `calls` calls' outcomes into `tick` (its calls and sessions are set by the caller). */
  draw(random: Random, calls: number, tick: TickTraffic): void {
    tick.calls = calls
    tick.errors = random.binomial(calls, this.profile.errorRate)
    tick.successes = random.binomial(calls - tick.errors, this.successAmongOk)
    random.drawAlias(this.model.table, calls, tick, this.model.firstIndex - tick.firstIndex)
  }
}
