import { userInfo } from 'node:os'
import { relative, resolve } from 'node:path'
import { servedPercentage } from '@canarykit/guard'
import type { RegisterCommand } from '../commands/command-context.js'
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js'
import { flagsErrorLines, issueLines } from '../flags/describe-flags-error.js'
import type { CommandIo } from '../io.js'
import { applyManualAction, type ManualOutcome } from './apply-manual-action.js'
import { appendAudit, auditFileOf, manualAuditRecord } from './audit-trail.js'
import type { ManualAction } from './manual-transitions.js'
import { stateOf } from '@canarykit/guard'

/** How one manual command presents itself. */
export interface ManualCommandSpec {
  readonly action: ManualAction
  readonly summary: string
  /** Specific help, printed before the common part. */
  readonly help: string
  readonly example: string
}

interface ManualOptions {
  readonly flag: string
  readonly reason?: string
  readonly actor?: string
  readonly audit?: string
  readonly full?: boolean
}

const NO_REASON = 'no reason given'

const COMMON_HELP = `
The change goes through the guard's safe writer: the file must load before the edit and after
it (an invalid file is never written), the write is atomic (temporary file, fsync, rename), only
the changed values are rewritten, and a concurrent edit is re-read and the action re-applied.
The flag's targeting is rewritten to match, so every replica and flagd serve the new state.
The rollout records the action (lastDecision: kind, reason, actor, time). An audit line (JSONL,
the guard's format) is appended to --audit FILE, or to the file named in the flags file as
"canarykit": { "audit": { "file": "rollouts.jsonl" } } (relative to the flags file).

Exit codes:
  0  done
  1  the flags file is unreadable or invalid (nothing written), the flag or its rollout does not
     exist, the action is refused in the rollout's phase (e.g. promoting a rolled-back rollout),
     or the audit line could not be appended (the flags file was written)
  2  usage error (e.g. --flag missing)`

/** Registers `promote`, `rollback`, `pause` or `resume`: they differ only in the transition. */
export function manualCommand(spec: ManualCommandSpec): RegisterCommand {
  return (program, { io, setExitCode }) => {
    const command = program
      .command(spec.action)
      .summary(spec.summary)
      .description(`${spec.summary[0]?.toUpperCase() ?? ''}${spec.summary.slice(1)}.`)
      .argument('<flags>', 'flagd flags file (JSON) with a canarykit rollout section')
      .requiredOption('--flag <key>', 'the rollout, by flag key')
      .option('--reason <text>', 'why, recorded in the file and the audit log', NO_REASON)
      .option('--actor <name>', 'who, recorded with the reason (default: your user name)')
      .option('--audit <file>', 'append the audit line to this JSONL file')
    if (spec.action === 'promote') {
      command.option('--full', 'go straight to the last stage (completes the rollout)')
    }
    command
      .addHelpText('after', `\n${spec.help}\n${COMMON_HELP}\n\nExample:\n  $ ${spec.example}`)
      .action(async (file: string, options: ManualOptions) => {
        setExitCode(await runManual(spec.action, file, options, io))
      })
  }
}

async function runManual(
  action: ManualAction,
  file: string,
  options: ManualOptions,
  io: CommandIo,
): Promise<number> {
  const path = resolve(io.cwd, file)
  const request = {
    action,
    to: options.full === true ? ('full' as const) : ('next' as const),
    actor: options.actor ?? defaultActor(),
    reason: options.reason ?? NO_REASON,
    now: Date.now(),
  }
  let outcome: ManualOutcome
  try {
    outcome = await applyManualAction(path, options.flag, request)
  } catch (error) {
    io.stderr.write(`${flagsErrorLines(file, error, 'nothing was written').join('\n')}\n`)
    return EXIT_FAILED
  }
  if (outcome.kind === 'refused') {
    const lines = [
      `${file}: ${outcome.message}; nothing was written`,
      ...issueLines(outcome.issues),
    ]
    io.stderr.write(`${lines.join('\n')}\n`)
    return EXIT_FAILED
  }
  const { before, after } = outcome
  const lines = [
    `${file}: ${after.flagKey}: ${after.lastDecision?.reason ?? action}`,
    `  now: ${after.phase}, stage ${after.stage + 1} of ${after.plan.stages.length}, ${servedPercentage(stateOf(after))} % canary`,
  ]
  if (after.phase === 'rolled-back') {
    lines.push(
      `  serving: only ${JSON.stringify(after.baseline)} (targeting removed; canarykit.pinEpoch ${after.epoch} drops sticky sessions)`,
    )
  }
  const auditFile =
    options.audit === undefined ? auditFileOf(outcome.text, path) : resolve(io.cwd, options.audit)
  if (auditFile !== undefined) {
    const shown = options.audit ?? relative(io.cwd, auditFile)
    try {
      await appendAudit(auditFile, manualAuditRecord(before, after, outcome.auditAction))
      lines.push(`  audit: appended to ${shown}`)
    } catch (error) {
      io.stdout.write(`${lines.join('\n')}\n`)
      const why = error instanceof Error ? error.message : String(error)
      io.stderr.write(
        `${file}: the ${action} was written, but the audit line could not be appended to ${shown}: ${why}\n`,
      )
      return EXIT_FAILED
    }
  }
  io.stdout.write(`${lines.join('\n')}\n`)
  return EXIT_OK
}

/** The operator's login name; containers without a passwd entry fall back to the environment. */
function defaultActor(): string {
  try {
    const { username } = userInfo()
    if (username !== '') return username
  } catch {
    // No passwd entry for the uid.
  }
  return process.env['USER'] ?? process.env['LOGNAME'] ?? 'cli'
}
