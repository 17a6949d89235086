import { appendFile, mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import {
  servedPercentage,
  type AuditAction,
  type AuditRecord,
  type RolloutRecord,
} from '@canarykit/guard'
import { stateOf } from '@canarykit/guard'

/**
 * The audit log a flags file names in its rollout section, `"canarykit": { "audit": { "file":
 * "rollouts.jsonl" } }` (the shape of the guard's `audit` option), resolved against the flags
 * file's directory; `undefined` when it names none or the text is not JSON.
 */
export function auditFileOf(text: string, flagsFile: string): string | undefined {
  let document: unknown
  try {
    document = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text)
  } catch {
    return undefined
  }
  const file = member(member(member(document, 'canarykit'), 'audit'), 'file')
  return typeof file === 'string' && file !== '' ? resolve(dirname(flagsFile), file) : undefined
}

function member(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined
}

/**
 * The audit line of a manual action, in the guard's `AuditRecord` shape (a manual action has no
 * numbers). TEMPORARY equivalent of the guard's internal `auditRecord`; use it once exported.
 */
export function manualAuditRecord(
  before: RolloutRecord,
  after: RolloutRecord,
  action: AuditAction,
): AuditRecord {
  const decision = after.lastDecision
  return {
    at: new Date(decision?.at ?? after.stageStartedAt).toISOString(),
    flagKey: after.flagKey,
    action,
    kind: decision?.kind ?? 'hold',
    reason: decision?.reason ?? '',
    ...(decision?.criterion === undefined ? {} : { criterion: decision.criterion }),
    actor: decision?.actor ?? 'unknown',
    phase: after.phase,
    stage: after.stage,
    percentage: servedPercentage(stateOf(after)),
    epoch: after.epoch,
    from: {
      stage: before.stage,
      percentage: servedPercentage(stateOf(before)),
      phase: before.phase,
    },
    persisted: true,
  }
}

/**
 * Appends one JSON line (creating the file and its directory), as the guard's audit log does.
 * Throws on failure: the CLI reports it instead of losing the record silently.
 */
export async function appendAudit(file: string, record: AuditRecord): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await appendFile(file, `${JSON.stringify(record)}\n`, 'utf8')
}
