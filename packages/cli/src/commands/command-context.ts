import type { Command } from 'commander'
import type { CommandIo } from '../io.js'

/** What a command's action gets besides its arguments. */
export interface CommandContext {
  readonly io: CommandIo
  /** Records the process exit code; actions report failure here rather than by throwing. */
  readonly setExitCode: (code: number) => void
}

/** Adds one subcommand to the program; one per file under `src/commands/`. */
export type RegisterCommand = (program: Command, context: CommandContext) => void
