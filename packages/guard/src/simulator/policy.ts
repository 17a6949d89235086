import type { Criterion } from '../types.js'
import type { TickTraffic } from './tick.js'

/** What a policy decided at a check, reduced to what the simulator tallies. */
export interface PolicyVerdict {
  readonly kind: 'continue' | 'hold' | 'proceed' | 'complete' | 'rollback'
  readonly criterion?: Criterion
}

/** A rollout policy under simulation: it sees each tick's traffic and decides at each check. */
export interface SimulatedPolicy {
  /** The canary's share (0..100) being served now. */
  readonly percentage: number
  /** A tick's traffic, which ended at `endS`. */
  observe(baseline: TickTraffic, canary: TickTraffic, endS: number): void
  decide(nowS: number): PolicyVerdict
}

/** The policies `simulate` can run. */
export type PolicyName = 'canarykit' | 'threshold'
