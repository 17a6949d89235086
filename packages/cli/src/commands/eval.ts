import { resolve } from 'node:path'
import { Option } from 'commander'
import { describeIssue, type EvaluationContext } from '@canarykit/core'
import { contextOption, openJsonl, type ContextItem } from '../eval/contexts.js'
import {
  createEvaluator,
  formatHuman,
  formatJson,
  type EvaluationRow,
  type Evaluator,
} from '../eval/evaluation-row.js'
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js'
import { outcomeLines } from '../flags/describe-outcome.js'
import { describeFsError } from '../flags/read-text-file.js'
import { loadFlagsFile } from '../flags/load-flags-file.js'
import type { CommandIo, TextSink } from '../io.js'
import { ChunkedWriter } from '../output/chunked-writer.js'
import type { RegisterCommand } from './command-context.js'

interface EvalOptions {
  readonly flag?: string
  readonly context?: EvaluationContext
  readonly contexts?: string
  readonly json?: boolean
}

/** Malformed JSONL lines reported one by one; beyond this only the total is printed. */
const MAX_LINE_ERRORS = 10

const HELP_AFTER = `
Output: one line per flag and context on stdout, in input order:
  new-search  session-42  value=true variant=on reason=TARGETING_MATCH
With --json, one object per line: flagKey, targetingKey, value, variant, reason, errorCode,
errorMessage, and line (the JSONL line number). A value is shown only when a variant was
resolved. With --flag, the flag is evaluated as the type of its variants.

A malformed JSONL line (invalid JSON, or not an object) is reported on stderr with its line
number and skipped; the other lines are still evaluated, and the exit code is 1.

Exit codes:
  0  every context was evaluated
  1  the flags file is unreadable or invalid, --flag names no flag (each context then reports
     FLAG_NOT_FOUND), or the contexts file is unreadable or has a malformed line
  2  usage error (e.g. --context is not a JSON object, or both --context and --contexts)

Examples:
  $ canarykit eval flags.json --context '{"targetingKey":"session-42","tier":"pro"}'
  $ canarykit eval flags.json --flag new-search --contexts sessions.jsonl --json`

export const registerEval: RegisterCommand = (program, { io, setExitCode }) => {
  program
    .command('eval')
    .summary('evaluate flags for one context or a JSONL file of contexts')
    .description('Evaluate flags for one evaluation context or for every line of a JSONL file.')
    .argument('<flags>', 'flagd flags file (JSON)')
    .option('--flag <key>', 'evaluate only this flag (default: every flag)')
    .addOption(
      new Option('--context <json>', 'one evaluation context, a JSON object (default: {})')
        .argParser(contextOption)
        .conflicts('contexts'),
    )
    .option('--contexts <file>', 'a JSONL file of contexts, one object per line')
    .option('--json', 'print one JSON object per line instead of text')
    .addHelpText('after', HELP_AFTER)
    .action(async (file: string, options: EvalOptions) => {
      setExitCode(await runEval(file, options, io))
    })
}

async function runEval(file: string, options: EvalOptions, io: CommandIo): Promise<number> {
  const outcome = await loadFlagsFile(file, io.cwd)
  if (outcome.kind !== 'loaded') {
    io.stderr.write(`${outcomeLines(outcome).join('\n')}\n`)
    return EXIT_FAILED
  }
  const { engine, result } = outcome
  for (const issue of result.brokenFlags) {
    if (options.flag === undefined || issue.flagKey === options.flag) {
      io.stderr.write(`${file}: warning: ${describeIssue(issue)} (evaluates to PARSE_ERROR)\n`)
    }
  }
  let failed = false
  if (options.flag !== undefined && engine.flagDefinition(options.flag) === undefined) {
    const known = engine.flagKeys().join(', ')
    io.stderr.write(`${file}: flag ${JSON.stringify(options.flag)} not found (flags: ${known})\n`)
    failed = true
  }
  const evaluator = createEvaluator(engine, options.flag)
  const format = options.json === true ? formatJson : formatHuman
  const out = new ChunkedWriter(io.stdout)
  if (options.contexts === undefined) {
    const single: ContextItem = { context: options.context ?? {} }
    await streamRows([single], evaluator, format, out, () => undefined)
    return failed ? EXIT_FAILED : EXIT_OK
  }
  const linesOk = await evaluateJsonl(options.contexts, evaluator, format, out, io)
  return failed || !linesOk ? EXIT_FAILED : EXIT_OK
}

/** Returns `false` when the file could not be read or a line was malformed. */
async function evaluateJsonl(
  file: string,
  evaluator: Evaluator,
  format: (row: EvaluationRow) => string,
  out: ChunkedWriter,
  io: CommandIo,
): Promise<boolean> {
  const opened = await openJsonl(resolve(io.cwd, file))
  if ('error' in opened) {
    io.stderr.write(`${file}: ${opened.error}\n`)
    return false
  }
  const malformed = malformedLineReporter(file, io.stderr)
  try {
    await streamRows(opened.items, evaluator, format, out, malformed.report)
  } catch (error) {
    // A read error mid-file (or on a directory): keep the rows already evaluated.
    await out.flush()
    io.stderr.write(`${file}: cannot read: ${describeFsError(error)}\n`)
    return false
  }
  return malformed.finish() === 0
}

async function streamRows(
  items: AsyncIterable<ContextItem> | Iterable<ContextItem>,
  evaluator: Evaluator,
  format: (row: EvaluationRow) => string,
  out: ChunkedWriter,
  onMalformed: (item: { readonly line: number; readonly error: string }) => void,
): Promise<void> {
  for await (const item of items) {
    if ('error' in item) {
      onMalformed(item)
      continue
    }
    const { context, line } = item
    for (const resolution of evaluator(context)) {
      const full = out.push(format({ resolution, context, line }))
      if (full !== undefined) await full
    }
  }
  await out.flush()
}

/** Prints the first malformed lines, then only a count, so a wrong file does not flood stderr. */
function malformedLineReporter(file: string, stderr: TextSink) {
  let count = 0
  return {
    report: (item: { readonly line: number; readonly error: string }): void => {
      count++
      if (count <= MAX_LINE_ERRORS) stderr.write(`${file}:${item.line}: ${item.error}\n`)
    },
    /** Writes the total when lines were left unreported; returns the number of bad lines. */
    finish: (): number => {
      if (count > MAX_LINE_ERRORS) {
        stderr.write(`${file}: ${count} malformed lines skipped (first ${MAX_LINE_ERRORS} shown)\n`)
      }
      return count
    },
  }
}
