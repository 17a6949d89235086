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
import { createStepRunner, type FlagSource } from './step-runner.js'
import { locateTestbed, mergedFlags, readFeatures } from './testbed.js'

// flagd-testbed provider suite, evaluation-only (flagd-semantics.md §7.2): the features an
// offline, file-based engine can answer, against the testbed container's allFlags merge.
// Scenarios that need a flagd daemon (events, connection, sync options) are skipped by step.
const SUITE = 'flagd-testbed provider suite'
const FEATURES = ['disabled.feature', 'evaluation.feature', 'metadata.feature', 'targeting.feature']
const EXCLUDED_TAGS = ['@fractional-v1', '@fractional-v3', '@deprecated', '@metadata-provider']

const testbed = locateTestbed()
if (testbed === undefined) skipWithoutTestbed(SUITE)
else defineSuite(testbed)

function defineSuite(root: string): void {
  let scenarios: Scenario[]
  let source: FlagSource
  try {
    scenarios = readFeatures(join(root, 'gherkin'), FEATURES)
    source = selectorSource(join(root, 'flags'))
  } catch (error) {
    failingTestbed(SUITE, error)
    return
  }
  const runner = createStepRunner(source)
  const tagged = (tag: string) => scenarios.filter((s) => hasTag(s, tag))
  const current = scenarios.filter((s) => EXCLUDED_TAGS.every((tag) => !hasTag(s, tag)))
  const metadataProvider = tagged('@metadata-provider').filter((s) => !hasTag(s, '@deprecated'))

  describe(`${SUITE} (allFlags merge)`, () => scenarioTests(current, runner))
  // These select selector-flag-combined-metadata.json, which is loaded on its own.
  describe(`${SUITE}: @metadata-provider`, () => scenarioTests(metadataProvider, runner))
  describe(`${SUITE}: @fractional-v3 (pending)`, () =>
    pendingFractionalV3Report(tagged('@fractional-v3'), runner))
}

/**
 * Emulates the testbed container's sources: no selector (or `flags/allFlags.json`) serves the
 * merged flag set; `rawflags/<file>` serves that file of `flags/` alone.
 */
function selectorSource(flagsDir: string): FlagSource {
  const allFlags = mergedFlags(flagsDir)
  return {
    documentFor(selector) {
      if (selector === undefined || selector === 'flags/allFlags.json') return allFlags
      const raw = /^rawflags\/([\w.-]+\.json)$/.exec(selector)?.[1]
      if (raw === undefined) throw new Error(`unknown selector "${selector}"`)
      return readFileSync(join(flagsDir, raw), 'utf8')
    },
  }
}
