import { parseArgs } from 'node:util'

/** How long things take: the compressed plan and the traffic. */
export interface Pace {
  readonly name: 'quick' | 'normal' | 'slow'
  /** Minimum dwell of each guarded stage (1 %, 10 %, 50 %). */
  readonly dwellS: number
  readonly checkIntervalMs: number
  readonly concurrency: number
  readonly callsPerSession: number
  /** A rollout that has not ended by then fails the demo. */
  readonly rolloutTimeoutS: number
}

const PACES: Record<Pace['name'], Pace> = {
  quick: {
    name: 'quick',
    dwellS: 2,
    checkIntervalMs: 250,
    concurrency: 12,
    callsPerSession: 10,
    rolloutTimeoutS: 60,
  },
  normal: {
    name: 'normal',
    dwellS: 12,
    checkIntervalMs: 500,
    concurrency: 12,
    callsPerSession: 10,
    rolloutTimeoutS: 75,
  },
  slow: {
    name: 'slow',
    dwellS: 30,
    checkIntervalMs: 1000,
    concurrency: 12,
    callsPerSession: 10,
    rolloutTimeoutS: 300,
  },
}

export interface DemoOptions {
  readonly seed: number
  readonly pace: Pace
  /** Keep the MCP server up after the rollouts, until Ctrl-C. */
  readonly serve: boolean
  /** Where the flags file, audit log go; default: a new temporary directory. */
  readonly dir: string | undefined
  /** Plain progress lines even on a terminal. */
  readonly plain: boolean
}

export const USAGE = `usage: pnpm demo [options]

  --seed N    seed of the traffic and of the tool's behaviour (default 42)
  --quick     a shortened run (stages of 2 s), as the tests use
  --slow      a longer run (stages of 30 s) to watch at leisure
  --serve     keep the MCP server up afterwards, for an MCP client or MCP Inspector (Ctrl-C ends)
  --dir PATH  write flags.json and its audit log there (default: a new temporary directory)
  --plain     plain progress lines, also on a terminal
  --help      this text`

/** Parses the command line; throws with a usage message on a bad one. */
export function parseDemoOptions(argv: readonly string[]): DemoOptions | 'help' {
  // `pnpm demo -- --seed 3` passes the `--` through: accept it.
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      seed: { type: 'string' },
      quick: { type: 'boolean' },
      slow: { type: 'boolean' },
      serve: { type: 'boolean' },
      dir: { type: 'string' },
      plain: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  })
  if (values.help === true) return 'help'
  if (values.quick === true && values.slow === true) {
    throw new Error('--quick and --slow exclude each other')
  }
  const seed = values.seed === undefined ? 42 : Number(values.seed)
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`--seed must be a whole number ≥ 0, got ${values.seed ?? ''}`)
  }
  const pace = PACES[values.quick === true ? 'quick' : values.slow === true ? 'slow' : 'normal']
  return {
    seed,
    pace,
    serve: values.serve === true,
    dir: values.dir,
    plain: values.plain === true,
  }
}
