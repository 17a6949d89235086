import { FlagsError, METADATA_KEYS, type JsonObject } from '@canarykit/core'
import { recordToJson, SECTION, stateOf, type RolloutRecord } from './rollout-record.js'
import { servedPercentage } from '../stages/plan.js'
import { withCanaryShare } from './rollout-targeting.js'

type MutableObject = Record<string, unknown>

/**
 * Writes `record` into a parsed flags document (in place) and makes the flag itself say what is
 * served, so the file alone is the truth for every replica and for flagd:
 * - running / paused: the final `fractional` gives the canary its stage's share;
 * - completed: the split gives the last stage's share (normally 100 %);
 * - rolled back: no targeting and `defaultVariant` = baseline, so any flagd-compatible evaluator
 *   serves only the baseline (the removed targeting is kept in the record).
 * A record that still carries what a rollback removed (a rollout started again after one) puts
 * it back first, so cohorts survive a rollback and a retry. The flag's metadata carries
 * `canarykit.pinEpoch` (flat, as flagd requires). Idempotent, so an edit can be re-applied to a
 * document a human changed meanwhile. Returns the record as written.
 *
 * @internal
 */
export function applyRecord(document: MutableObject, record: RolloutRecord): RolloutRecord {
  const { flagKey } = record
  const flags = document['flags']
  const flag = isObject(flags) ? flags[flagKey] : undefined
  if (!isObject(flag)) {
    throw new FlagsError(
      'INVALID_ARGUMENT',
      `there is no flag ${JSON.stringify(flagKey)} in the flags file`,
    )
  }
  const targeting = isObject(flag['targeting']) ? (flag['targeting'] as JsonObject) : undefined
  let written = record
  if (record.phase === 'rolled-back') {
    if (targeting !== undefined && Object.keys(targeting).length > 0) {
      written = { ...written, originalTargeting: targeting }
    }
    delete flag['targeting']
    if (flag['defaultVariant'] !== record.baseline) {
      if (written.originalDefaultVariant === undefined) {
        written = {
          ...written,
          originalDefaultVariant: (flag['defaultVariant'] as string | null | undefined) ?? null,
        }
      }
      flag['defaultVariant'] = record.baseline
    }
  } else {
    const percentage = servedPercentage(stateOf(record))
    flag['targeting'] = withCanaryShare(targeting ?? record.originalTargeting, record, percentage)
    if (record.originalDefaultVariant !== undefined)
      flag['defaultVariant'] = record.originalDefaultVariant
    const { originalTargeting: _targeting, originalDefaultVariant: _default, ...rest } = record
    written = rest
  }
  const metadata = isObject(flag['metadata']) ? flag['metadata'] : {}
  if (metadata[METADATA_KEYS.pinEpoch] !== record.epoch) {
    flag['metadata'] = { ...metadata, [METADATA_KEYS.pinEpoch]: record.epoch }
  }
  const section = document[SECTION] ?? {}
  if (!isObject(section)) throw invalidSection(`/${SECTION}`)
  const rollouts = section['rollouts'] ?? {}
  if (!isObject(rollouts)) throw invalidSection(`/${SECTION}/rollouts`)
  rollouts[flagKey] = recordToJson(written)
  section['rollouts'] = rollouts
  document[SECTION] = section
  return written
}

function invalidSection(path: string): FlagsError {
  return new FlagsError('INVALID_CONFIG', `${path} must be an object`, {
    issues: [{ path, message: 'must be an object' }],
  })
}

function isObject(value: unknown): value is MutableObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
