/** Process exit codes; documented in `--help`, the README and docs/cli.md. */
export const EXIT_OK = 0
/** Invalid input: a file is unreadable or invalid, a flag is missing, a context line is malformed. */
export const EXIT_FAILED = 1
/** The command line itself is wrong: unknown command or option, missing or malformed argument. */
export const EXIT_USAGE = 2

export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  invalid input or validation failed
  2  usage error (unknown command or option, bad argument)`
