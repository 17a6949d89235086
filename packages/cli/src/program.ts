import { createRequire } from 'node:module'
import { Command } from 'commander'
import type { CommandContext, RegisterCommand } from './commands/command-context.js'
import { registerEval } from './commands/eval.js'
import { registerGuard } from './commands/guard.js'
import { registerInit } from './commands/init.js'
import { registerPause } from './commands/pause.js'
import { registerPromote } from './commands/promote.js'
import { registerResume } from './commands/resume.js'
import { registerRollback } from './commands/rollback.js'
import { registerSimulate } from './commands/simulate.js'
import { registerStatus } from './commands/status.js'
import { registerValidate } from './commands/validate.js'
import { EXIT_CODES_HELP } from './exit-codes.js'

/** In the order `--help` lists them. */
const COMMANDS: readonly RegisterCommand[] = [
  registerValidate,
  registerEval,
  registerStatus,
  registerPromote,
  registerRollback,
  registerPause,
  registerResume,
  registerGuard,
  registerInit,
  registerSimulate,
]

// Resolved from the module file, so it works from `src/` (tsx, vitest) and from `dist/` alike.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/**
 * A fresh program per run: commander keeps parsed state on the command objects, and tests run
 * many CLIs in one process. `exitOverride` turns commander's `process.exit` into a throw.
 */
export function createProgram(context: CommandContext): Command {
  const { stdout, stderr } = context.io
  const program = new Command('canarykit')
    .description('Validate and evaluate flagd flag files, and drive canary rollouts.')
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      getOutHelpWidth: () => stdout.columns ?? 100,
      getErrHelpWidth: () => stderr.columns ?? 100,
    })
    .showHelpAfterError('(run canarykit --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
  // Subcommands copy the settings above when created, so they are registered last.
  for (const register of COMMANDS) register(program, context)
  return program
}
