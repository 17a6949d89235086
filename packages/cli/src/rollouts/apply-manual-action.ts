import type { FlagsIssue } from '@canarykit/core'
import { updateRollout, type AuditAction, type RolloutRecord } from '@canarykit/guard'
import { manualTransition, type ManualRequest } from './manual-transitions.js'

/** What a manual action did, or why it was refused (nothing written). */
export type ManualOutcome =
  | {
      readonly kind: 'done'
      readonly before: RolloutRecord
      /** As written (a rollback adds the targeting it removed). */
      readonly after: RolloutRecord
      readonly auditAction: AuditAction
      /** The flags file's content afterwards. */
      readonly text: string
    }
  | { readonly kind: 'refused'; readonly message: string; readonly issues: readonly FlagsIssue[] }

/**
 * Carries out a manual action through the guard's safe writer (`updateRollout`): it refuses a
 * file that does not load and an edit that would break it, writes atomically, re-applies the
 * transition when the file changed under the write, and rewrites the flag's targeting, default
 * variant and `canarykit.pinEpoch` to match the record. Throws what the writer throws
 * (`FlagsError`); a refused transition is returned instead.
 */
export async function applyManualAction(
  file: string,
  flagKey: string,
  request: ManualRequest,
): Promise<ManualOutcome> {
  const name = JSON.stringify(flagKey)
  // `mutate` may run more than once (a concurrent edit): each run starts from a clean slate.
  let refusal: { message: string; issues: readonly FlagsIssue[] } | undefined
  let before: RolloutRecord | undefined
  let auditAction: AuditAction | undefined
  const update = await updateRollout(file, flagKey, (current, { flag, issues }) => {
    refusal = undefined
    if (typeof flag['variants'] !== 'object' || flag['variants'] === null) {
      refusal = { message: `there is no flag ${name}`, issues: [] }
      return undefined
    }
    if (issues.length > 0) {
      refusal = { message: `the rollout entry of flag ${name} does not read`, issues }
      return undefined
    }
    if (current === undefined) {
      refusal = { message: `flag ${name} has no rollout (start one with the guard)`, issues: [] }
      return undefined
    }
    const result = manualTransition(current, request)
    if (!result.ok) {
      refusal = { message: result.message, issues: [] }
      return undefined
    }
    before = current
    auditAction = result.auditAction
    return result.record
  })
  if (refusal !== undefined) return { kind: 'refused', ...refusal }
  if (update.record === undefined || before === undefined || auditAction === undefined) {
    // Unreachable: `mutate` either refused or returned a record.
    return { kind: 'refused', message: 'nothing was written', issues: [] }
  }
  return { kind: 'done', before, after: update.record, auditAction, text: update.text }
}
