import { resolve } from 'node:path'
import { Option, type Command } from 'commander'
import { createEngine, isFlagsError, type FlagDefinition } from '@canarykit/core'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js'
import { addFlag, type AddFlagOutcome } from '../flags/add-flag.js'
import { flagsErrorLines, issueLines } from '../flags/describe-flags-error.js'
import { formatJson } from '../flags/format-json.js'
import {
  listOption,
  percentageOption,
  variantOption,
  type VariantArg,
} from '../init/init-options.js'
import { scaffoldFlag } from '../init/scaffold-flag.js'
import type { CommandIo } from '../io.js'
import type { RegisterCommand } from './command-context.js'

interface InitOptions {
  readonly flag: string
  readonly baseline: VariantArg
  readonly canary: VariantArg
  readonly tier?: string[]
  readonly region?: string[]
  readonly beta?: boolean
  readonly internalDomain?: string[]
  readonly internalId?: string[]
  readonly percentage: number
  readonly file?: string
}

const SCHEMA = 'https://flagd.dev/schema/v0/flags.json'

const HELP_AFTER = `
The flag is plain flagd JSON built with @canarykit/core's segment builders: the baseline is the
default variant (a missing targeting key or an error lands there); units in a cohort get the
canary; everyone else is split by --percentage with flagd's "fractional" (canary bucket first,
so raising the share only moves units to the canary). Context attributes read: tier, region,
beta (must be exactly true), email (internal domains), userId (internal ids); the split buckets
by targetingKey (use the MCP session id).

VALUE is read as JSON when it is a number, boolean, quoted string or object (on=true, limit=10),
else as a plain string (stable=v1). Both variants must have the same type.

Without --file the flags document is printed on stdout. With --file, a missing file is created
and an existing one gets the flag added (only the new lines are written; the file must load
before and after, and the write is atomic). An existing flag of that key is never overwritten.

To roll it out under the guard, start a rollout from your server (guard.start): the guard then
owns the share and writes it stage by stage.

Exit codes:
  0  printed, created or added
  1  the file is unreadable or invalid, the flag already exists, or the flag would be invalid
     (e.g. variants of different types); nothing was written
  2  usage error (a required option is missing, NAME=VALUE or a percentage is malformed, the
     two variants have the same name)

Examples:
  $ canarykit init --flag new-search --baseline stable=v1 --canary canary=v2 --beta --percentage 1
  $ canarykit init --flag new-search --baseline stable=v1 --canary canary=v2 \\
      --internal-domain example.com --tier enterprise --region eu-west-1 --file flags.json`

export const registerInit: RegisterCommand = (program, { io, setExitCode }) => {
  program
    .command('init')
    .summary('scaffold a rollout flag from segment options')
    .description(
      'Scaffold a rollout flag: baseline and canary variants, cohorts that get the canary first (internal, beta, tier, region), and a percentage split for the rest.',
    )
    .requiredOption('--flag <key>', 'the flag key')
    .addOption(
      new Option('--baseline <name=value>', 'the current implementation (the default variant)')
        .argParser(variantOption)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--canary <name=value>', 'the new implementation')
        .argParser(variantOption)
        .makeOptionMandatory(),
    )
    .option('--tier <tiers>', 'tiers that get the canary (comma-separated)', listOption)
    .option('--region <regions>', 'regions that get the canary (comma-separated)', listOption)
    .option('--beta', 'units with beta === true get the canary')
    .option('--internal-domain <domains>', 'e-mail domains of internal users', listOption)
    .option('--internal-id <ids>', 'user ids of internal users', listOption)
    .option('--percentage <n>', 'share of the other units sent to the canary', percentageOption, 0)
    .option('--file <flags.json>', 'create this file, or add the flag to it')
    .addHelpText('after', HELP_AFTER)
    .action(async function (this: Command, options: InitOptions) {
      if (options.baseline[0] === options.canary[0]) {
        this.error('error: --baseline and --canary must name different variants', {
          exitCode: EXIT_USAGE,
          code: 'canarykit.sameVariant',
        })
      }
      setExitCode(await runInit(options, io))
    })
}

async function runInit(options: InitOptions, io: CommandIo): Promise<number> {
  const definition = scaffoldFlag({
    baseline: options.baseline,
    canary: options.canary,
    percentage: options.percentage,
    ...(options.tier && { tiers: options.tier }),
    ...(options.region && { regions: options.region }),
    ...(options.beta !== undefined && { beta: options.beta }),
    ...(options.internalDomain && { internalDomains: options.internalDomain }),
    ...(options.internalId && { internalIds: options.internalId }),
  })
  if (options.file === undefined) return printDocument(options.flag, definition, io)
  const { file } = options
  let outcome: AddFlagOutcome
  try {
    outcome = await addFlag(resolve(io.cwd, file), options.flag, definition)
  } catch (error) {
    io.stderr.write(`${flagsErrorLines(file, error, 'nothing was written').join('\n')}\n`)
    return EXIT_FAILED
  }
  if (outcome.kind === 'exists') {
    const name = JSON.stringify(options.flag)
    io.stderr.write(`${file}: flag ${name} already exists; nothing was written\n`)
    return EXIT_FAILED
  }
  const verb = outcome.kind === 'created' ? 'created with' : 'added'
  io.stdout.write(`${file}: ${verb} ${describeFlag(options)}\n`)
  return EXIT_OK
}

/** Validates the one-flag document with core, then prints it (pipe it into a file). */
function printDocument(flagKey: string, definition: FlagDefinition, io: CommandIo): number {
  const document = { $schema: SCHEMA, flags: { [flagKey]: definition } }
  const text = formatJson(document)
  try {
    const { brokenFlags } = createEngine().load(text)
    if (brokenFlags.length > 0) {
      io.stderr.write(`init: the flag would not compile\n${issueLines(brokenFlags).join('\n')}\n`)
      return EXIT_FAILED
    }
  } catch (error) {
    if (!isFlagsError(error)) throw error
    io.stderr.write(`init: the flag would be invalid\n${issueLines(error.issues).join('\n')}\n`)
    return EXIT_FAILED
  }
  io.stdout.write(`${text}\n`)
  return EXIT_OK
}

/** `flag "new-search" (baseline "stable"; canary "canary" for internal, beta, then 1 % of the rest)` */
function describeFlag(options: InitOptions): string {
  const cohorts: string[] = []
  if (options.internalDomain !== undefined || options.internalId !== undefined) {
    cohorts.push('internal users')
  }
  if (options.beta === true) cohorts.push('beta opt-ins')
  if (options.tier !== undefined) cohorts.push(`tier ${options.tier.join('|')}`)
  if (options.region !== undefined) cohorts.push(`region ${options.region.join('|')}`)
  const rest = `${options.percentage} % of ${cohorts.length === 0 ? 'units' : 'the rest'}`
  const canaryGets = [...cohorts, rest].join(', ')
  const [baseline] = options.baseline
  const [canary] = options.canary
  return `flag ${JSON.stringify(options.flag)} (baseline ${JSON.stringify(baseline)}; canary ${JSON.stringify(canary)} for ${canaryGets})`
}
