import { describe, expect, it } from 'vitest'
import type { Scenario } from './gherkin-scenarios.js'
import type { StepRunner } from './step-runner.js'
import { TESTBED_DIR } from './testbed.js'

/** One vitest test per pickle; scenarios that need a flagd daemon are listed as skipped. */
export function scenarioTests(scenarios: readonly Scenario[], runner: StepRunner): void {
  it('has scenarios to run', () => expect(scenarios.length).toBeGreaterThan(0))
  for (const scenario of scenarios) {
    const plan = runner.plan(scenario)
    if (plan.kind === 'needs-daemon')
      it.skip(`${scenario.title} [needs a flagd daemon: ${plan.step}]`)
    else it(scenario.title, () => runner.run(scenario))
  }
}

/**
 * `@fractional-v3` (CBOR bucketing) is intentionally not implemented: play those scenarios,
 * report how many happen to pass, and never fail on them.
 */
export function pendingFractionalV3Report(
  scenarios: readonly Scenario[],
  runner: StepRunner,
): void {
  it('fractional-v3 scenarios are reported, not enforced', () => {
    expect(scenarios.length).toBeGreaterThan(0)
    const passing = scenarios.filter((scenario) => passes(scenario, runner))
    const lines = passing.map((scenario) => `  passes: ${scenario.title}`)
    console.info(
      [
        `fractional-v3: ${passing.length}/${scenarios.length} pass (not implemented, see docs/flagd-compatibility.md)`,
        ...lines,
      ].join('\n'),
    )
  })
}

function passes(scenario: Scenario, runner: StepRunner): boolean {
  try {
    runner.run(scenario)
    return true
  } catch {
    return false
  }
}

/** No testbed beside the checkout: say so and skip (a present but broken one fails instead). */
export function skipWithoutTestbed(suite: string): void {
  const message = `${suite}: flagd-testbed not found at ${TESTBED_DIR}; conformance scenarios skipped`
  console.warn(message)
  describe.skip(suite, () => it.skip(message))
}

/** Turns a testbed that exists but cannot be read into one loud, failing test. */
export function failingTestbed(suite: string, error: unknown): void {
  describe(suite, () => {
    it('reads the flagd-testbed', () => {
      throw error
    })
  })
}
