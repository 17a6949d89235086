import type { RolloutRecord, RolloutState } from '@canarykit/guard'

/**
 * The state the guard's pure functions (`servedPercentage`, the manual transitions) work on: the
 * record without what only the file keeps (the last action as recorded, what a rollback removed).
 * The guard has the same helper internally.
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
