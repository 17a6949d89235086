import { CommanderError } from 'commander'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js'
import type { CliIo } from './io.js'
import { createProgram } from './program.js'

export { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js'
export type { CliIo, TextSink } from './io.js'

/**
 * Runs the CLI in-process and resolves to its exit code; it never calls `process.exit`.
 *
 * @example
 * const code = await run(['validate', 'flags.json'], { stdout: process.stdout, stderr: process.stderr })
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK
  const program = createProgram({
    io: { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd ?? process.cwd() },
    setExitCode: (code) => {
      exitCode = code
    },
  })
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return exitCode
  } catch (error) {
    // --help and --version end with exit code 0; every other commander error is a usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    io.stderr.write(`canarykit: unexpected error: ${describe(error)}\n`)
    return EXIT_FAILED
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}
