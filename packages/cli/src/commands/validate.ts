import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js'
import { outcomeJson, outcomeLines, outcomeOk } from '../flags/describe-outcome.js'
import { loadFlagsFile } from '../flags/load-flags-file.js'
import { plural } from '../output/plural.js'
import type { RegisterCommand } from './command-context.js'

interface ValidateOptions {
  readonly json?: boolean
}

const HELP_AFTER = `
Each file gets a summary line; errors and warnings follow it, indented, each naming the flag
and the JSON path. Warnings (rules that deviate from the flagd schema but still evaluate) do
not fail validation. A broken flag does: it loads, but every evaluation of it returns
ERROR/PARSE_ERROR.

Exit codes:
  0  every file is valid
  1  a file is unreadable, invalid, or has a broken flag
  2  usage error

Examples:
  $ canarykit validate flags.json
  $ canarykit validate flags/*.json --json`

export const registerValidate: RegisterCommand = (program, { io, setExitCode }) => {
  program
    .command('validate')
    .summary('check flagd flag files')
    .description('Check flagd flag files: JSON syntax, the flagd schema, and every targeting rule.')
    .argument('<files...>', 'flagd flags files (JSON)')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', HELP_AFTER)
    .action(async (files: string[], options: ValidateOptions) => {
      const outcomes = await Promise.all(files.map((file) => loadFlagsFile(file, io.cwd)))
      const failed = outcomes.filter((outcome) => !outcomeOk(outcome)).length
      if (options.json === true) {
        const report = { ok: failed === 0, files: outcomes.map(outcomeJson) }
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      } else {
        const lines = outcomes.flatMap(outcomeLines)
        if (files.length > 1) {
          lines.push(
            `${plural(files.length, 'file')}: ${files.length - failed} ok, ${failed} failed`,
          )
        }
        io.stdout.write(`${lines.join('\n')}\n`)
      }
      setExitCode(failed === 0 ? EXIT_OK : EXIT_FAILED)
    })
}
