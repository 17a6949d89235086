import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe } from 'vitest'
import {
  failingTestbed,
  pendingFractionalV3Report,
  scenarioTests,
  skipWithoutTestbed,
} from './define-tests.js'
import { hasTag, type Scenario } from './gherkin-scenarios.js'
import { createStepRunner } from './step-runner.js'
import { featureFilesIn, locateTestbed, readFeatures } from './testbed.js'

// flagd-testbed evaluator testkit (flagd-semantics.md §7.1): every scenario except the legacy
// `@fractional-v1` hashing, played through the public API against testkit-flags.json.
const SUITE = 'flagd-testbed evaluator testkit'

const testbed = locateTestbed()
if (testbed === undefined) skipWithoutTestbed(SUITE)
else defineSuite(testbed)

function defineSuite(root: string): void {
  let scenarios: Scenario[]
  let flags: string
  try {
    const featureDir = join(root, 'evaluator/gherkin')
    scenarios = readFeatures(featureDir, featureFilesIn(featureDir))
    flags = readFileSync(join(root, 'evaluator/flags/testkit-flags.json'), 'utf8')
  } catch (error) {
    failingTestbed(SUITE, error)
    return
  }
  const source = {
    documentFor(selector: string | undefined) {
      if (selector !== undefined)
        throw new Error(`the evaluator testkit has no selector ${selector}`)
      return flags
    },
  }
  const runner = createStepRunner(source)
  const current = scenarios.filter(
    (s) => !hasTag(s, '@fractional-v1') && !hasTag(s, '@fractional-v3'),
  )
  const pending = scenarios.filter((s) => hasTag(s, '@fractional-v3'))

  describe(SUITE, () => scenarioTests(current, runner))
  // The same scenarios through the closure compiler alone (the default engine generates code).
  describe(`${SUITE} (codegen off)`, () =>
    scenarioTests(current, createStepRunner(source, { codegen: false })))
  // testbed 3.9.0 has v3 vectors only in the provider suite; report any that appear here.
  if (pending.length > 0) {
    describe(`${SUITE}: @fractional-v3 (pending)`, () => pendingFractionalV3Report(pending, runner))
  }
}
