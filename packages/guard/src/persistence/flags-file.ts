import type { FlagsIssue } from '@canarykit/core'
import { readFlagsDocument, updateFlagsDocument, type UpdateOptions } from './atomic-update.js'
import { applyRecord } from './rollout-edits.js'
import { readRecords, type RolloutRecord } from './rollout-record.js'
import type { SpliceMode } from './json-splice.js'

/**
 * The rollouts recorded in a flags file.
 *
 * @example
 * const { rollouts, issues } = await readRollouts('flags.json')
 */
export interface RolloutsFile {
  readonly rollouts: readonly RolloutRecord[]
  /** Entries of `canarykit.rollouts` that could not be read (each skipped), with JSON paths. */
  readonly issues: readonly FlagsIssue[]
}

/**
 * Reads every rollout from the `canarykit` section of a flagd flags file. The file must load
 * with core (else a `FlagsError`: 'SOURCE_UNAVAILABLE', 'INVALID_JSON' or 'INVALID_CONFIG');
 * malformed rollout entries are listed in `issues` and skipped.
 *
 * @example
 * const { rollouts } = await readRollouts('flags.json')
 * for (const r of rollouts) console.log(r.flagKey, r.phase, r.plan.stages[r.stage]?.percentage)
 */
export async function readRollouts(
  file: string,
  options: Pick<UpdateOptions, 'cache'> = {},
): Promise<RolloutsFile> {
  const { records, issues } = readRecords(await readFlagsDocument(file, options.cache))
  return { rollouts: records, issues }
}

/**
 * What {@link updateRollout}'s `mutate` sees of the file at the moment of the write.
 *
 * @example
 * await updateRollout('flags.json', 'new-search', (r, { flag }) => (flag['state'] === 'ENABLED' ? r : undefined))
 */
export interface RolloutUpdateContext {
  /** The flag's definition as it is on disk now. */
  readonly flag: Readonly<Record<string, unknown>>
  /** Problems with this flag's rollout entry, when it could not be read (then `current` is undefined). */
  readonly issues: readonly FlagsIssue[]
}

/**
 * The outcome of {@link updateRollout}.
 *
 * @example
 * const { record, attempts } = await updateRollout('flags.json', 'new-search', mutate)
 */
export interface RolloutUpdate {
  /** The record as written (a rollback adds the targeting it removed); `undefined` when `mutate` returned `undefined`. */
  readonly record: RolloutRecord | undefined
  readonly mode: SpliceMode
  readonly attempts: number
  /** The file's content afterwards. */
  readonly text: string
}

/**
 * Changes one rollout in a flags file — its record under `canarykit.rollouts` and the flag's
 * targeting, default variant and `canarykit.pinEpoch` to match — with the guard's safe write:
 * atomic (temporary file, fsync, rename), minimal (only changed values are rewritten), validated
 * by core, and re-applied on a fresh read if a human changed the file meanwhile. `mutate` gets the
 * current record (or `undefined`) and returns the new one, or `undefined` to leave the file as
 * is; it may run more than once, so it must be pure.
 *
 * @example
 * await updateRollout('flags.json', 'new-search', (r) =>
 *   r && { ...r, phase: 'paused', lastDecision: { kind: 'hold', reason: 'paused for the incident', criterion: 'manual', at: Date.now(), actor: 'alice' } })
 */
export async function updateRollout(
  file: string,
  flagKey: string,
  mutate: (
    current: RolloutRecord | undefined,
    context: RolloutUpdateContext,
  ) => RolloutRecord | undefined,
  options: UpdateOptions = {},
): Promise<RolloutUpdate> {
  const outcome = await updateFlagsDocument(
    file,
    (document) => {
      const { records, issues } = readRecords(document)
      const flags = document['flags'] as Record<string, Record<string, unknown> | undefined>
      const flag = flags[flagKey] ?? {}
      const current = records.find((record) => record.flagKey === flagKey)
      const ownIssues = issues.filter((issue) => issue.flagKey === flagKey)
      const next = mutate(current, { flag: structuredClone(flag), issues: ownIssues })
      return next === undefined ? undefined : { result: applyRecord(document, next) }
    },
    options,
  )
  return {
    record: outcome.result,
    mode: outcome.mode,
    attempts: outcome.attempts,
    text: outcome.text,
  }
}
