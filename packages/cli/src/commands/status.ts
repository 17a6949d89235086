import { resolve } from 'node:path'
import type { FlagsIssue } from '@canarykit/core'
import { readRollouts } from '@canarykit/guard'
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js'
import { flagsErrorLines, issueLines } from '../flags/describe-flags-error.js'
import type { CommandIo } from '../io.js'
import { plural } from '../output/plural.js'
import { statusRow, type StatusRow } from '../rollouts/rollout-status.js'
import type { RegisterCommand } from './command-context.js'

interface StatusOptions {
  readonly json?: boolean
}

const HELP_AFTER = `
Reads the rollouts recorded under "canarykit.rollouts" (the guard's state) and prints, per
rollout: phase, stage, the canary's share, the last decision with who took it and why, and
what it is waiting for. It reads the file only; a guard's in-memory evidence ("need N more
sessions") is not visible from here, and a guard that restarts begins the dwell again.

Exit codes:
  0  the file loads and every rollout entry reads
  1  the file is unreadable or invalid, or a rollout entry does not read (the others are shown)
  2  usage error

Examples:
  $ canarykit status flags.json
  $ canarykit status flags.json --json | jq '.rollouts[] | {flagKey, phase, percentage}'`

export const registerStatus: RegisterCommand = (program, { io, setExitCode }) => {
  program
    .command('status')
    .summary('show every rollout in a flags file and what it waits for')
    .description(
      'Show every rollout in a flags file: phase, stage, canary share, the last decision and why, and what it waits for.',
    )
    .argument('<flags>', 'flagd flags file (JSON) with a canarykit rollout section')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', HELP_AFTER)
    .action(async (file: string, options: StatusOptions) => {
      setExitCode(await runStatus(file, options, io))
    })
}

async function runStatus(file: string, options: StatusOptions, io: CommandIo): Promise<number> {
  let read: Awaited<ReturnType<typeof readRollouts>>
  try {
    read = await readRollouts(resolve(io.cwd, file))
  } catch (error) {
    io.stderr.write(`${flagsErrorLines(file, error, 'cannot read its rollouts').join('\n')}\n`)
    return EXIT_FAILED
  }
  const now = Date.now()
  const rows = read.rollouts.map((record) => statusRow(record, now))
  const { issues } = read
  if (options.json === true) {
    const report = { file, ok: issues.length === 0, rollouts: rows, issues }
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  } else {
    io.stdout.write(`${textReport(file, rows, issues).join('\n')}\n`)
  }
  return issues.length === 0 ? EXIT_OK : EXIT_FAILED
}

function textReport(file: string, rows: readonly StatusRow[], issues: readonly FlagsIssue[]) {
  const summary = [rows.length === 0 ? 'no rollouts' : plural(rows.length, 'rollout')]
  const n = issues.length
  if (n > 0) summary.push(`${n} unreadable rollout ${n === 1 ? 'entry' : 'entries'}`)
  return [`${file}: ${summary.join(', ')}`, ...rows.flatMap(rowLines), ...issueLines(issues)]
}

/**
 * new-search  running  stage 2 of 4  10 % canary  (stable → canary)
 *   last: proceed (guard, 2025-05-01T03:10:00.000Z): proceeding to 10 %: …
 *   waiting for: dwell: 1520 s left at 10 %
 */
function rowLines(row: StatusRow): string[] {
  const head = [
    row.flagKey,
    row.phase,
    `stage ${row.stage + 1} of ${row.stages}`,
    `${row.percentage} % canary`,
    `(${row.baseline} → ${row.canary})`,
  ].join('  ')
  const last = row.lastDecision
  return [
    head,
    ...(last === undefined
      ? []
      : [`  last: ${last.kind} (${last.actor}, ${last.at}): ${last.reason}`]),
    `  waiting for: ${row.waitingFor}`,
  ]
}
