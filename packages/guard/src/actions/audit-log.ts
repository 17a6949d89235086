import { appendFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Logger } from '@canarykit/core'
import type {
  CheckResult,
  Criterion,
  DecisionKind,
  RolloutPhase,
  VariantSummary,
} from '../types.js'

/**
 * What was done: the guard's own decisions and the manual actions, and (fleet mode) the start
 * and end of a metrics outage the guard held through.
 *
 * @example
 * const rollbacks = lines.map((l) => JSON.parse(l) as AuditRecord).filter((r) => r.action === 'rollback')
 */
export type AuditAction =
  | 'start'
  | 'proceed'
  | 'complete'
  | 'rollback'
  | 'hold'
  | 'pause'
  | 'resume'
  | 'metrics-unavailable'
  | 'metrics-restored'

/**
 * One line of the JSONL audit log.
 *
 * @example
 * // rollouts.jsonl
 * {"at":"2025-05-01T03:12:05.000Z","flagKey":"new-search","action":"rollback","kind":"rollback","reason":"…","criterion":"error-rate","actor":"guard",…}
 */
export interface AuditRecord {
  /** ISO date. */
  readonly at: string
  readonly flagKey: string
  readonly action: AuditAction
  /** The decision kind behind the action. */
  readonly kind: DecisionKind
  readonly reason: string
  readonly criterion?: Criterion
  /** `guard` for automatic decisions, else who acted. */
  readonly actor: string
  readonly phase: RolloutPhase
  /** Stage index and canary share after the action. */
  readonly stage: number
  readonly percentage: number
  readonly epoch: number
  /** Stage and share before the action. */
  readonly from?: {
    readonly stage: number
    readonly percentage: number
    readonly phase: RolloutPhase
  }
  /** The numbers the decision was made on (automatic decisions). */
  readonly numbers?: {
    readonly baseline: VariantSummary
    readonly canary: VariantSummary
    readonly checks: readonly CheckResult[]
    readonly needed?: { readonly sessions: number; readonly calls: number }
  }
  /** False when the flags file could not be rewritten (the in-process action still happened). */
  readonly persisted: boolean
}

/** An append-only JSONL file; appends are queued so the caller never waits on the disk. */
export interface AuditLog {
  append(record: AuditRecord): void
  /** Resolves when every queued record is on disk (or failed and was logged). */
  flush(): Promise<void>
}

/**
 * Opens (lazily creates) an audit log. One JSON object per line, in the order appended. A failed
 * append is logged, never thrown.
 *
 * @internal
 */
export function createAuditLog(file: string, logger: Logger): AuditLog {
  let tail: Promise<void> = mkdir(dirname(file), { recursive: true }).then(
    () => undefined,
    () => undefined,
  )
  return {
    append(record) {
      const line = `${JSON.stringify(record)}\n`
      tail = tail.then(() =>
        appendFile(file, line, 'utf8').catch((error: unknown) => {
          logger.error?.(
            `audit log ${file}: could not append (${error instanceof Error ? error.message : String(error)}): ${line.trim()}`,
          )
        }),
      )
    },
    flush: () => tail,
  }
}
