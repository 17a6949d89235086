/** Process exit codes; documented in `--help`, the README and docs/cli.md. */
export const EXIT_OK = 0
/**
 * Invalid input: a file is unreadable or invalid, a flag is missing, a context line is malformed;
 * or a refused write (an invalid file, a transition the rollout's phase does not allow).
 */
export const EXIT_FAILED = 1
/** The command line itself is wrong: unknown command or option, missing or malformed argument. */
export const EXIT_USAGE = 2

export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  invalid input, validation failed, or a write refused (nothing written)
  2  usage error (unknown command or option, bad argument)`
