import type { Assignment, Outcome, OutcomeSink } from '@canarykit/core'

/** Totals of one flag × variant over the whole run. */
export interface VariantTotals {
  readonly sessions: number
  readonly calls: number
  readonly errors: number
}

/** An outcome sink counting every session and call per flag and variant (the view's totals). */
export interface Tally extends OutcomeSink {
  totals(flagKey: string, variant: string): VariantTotals
}

export function createTally(): Tally {
  const cells = new Map<string, { sessions: number; calls: number; errors: number }>()
  const cell = (flagKey: string, variant: string) => {
    const key = `${flagKey}\u0000${variant}`
    let found = cells.get(key)
    if (found === undefined) {
      found = { sessions: 0, calls: 0, errors: 0 }
      cells.set(key, found)
    }
    return found
  }
  return {
    assigned(assignment: Assignment) {
      cell(assignment.flagKey, assignment.variant).sessions++
    },
    record(outcome: Outcome) {
      const c = cell(outcome.flagKey, outcome.variant)
      c.calls++
      if (outcome.error) c.errors++
    },
    totals: (flagKey, variant) => ({ ...cell(flagKey, variant) }),
  }
}
