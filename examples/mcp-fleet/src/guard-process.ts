import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { RUN_TS, spawnChild, type Child } from './child-process.js'

/** The CLI's entry, run from source as `pnpm canarykit` does (no build needed). */
const CLI_BIN = join(
  dirname(createRequire(import.meta.url).resolve('@canarykit/cli/package.json')),
  'src/bin.ts',
)

export interface GuardProcessOptions {
  /** The directory of the flags file, the audit log (relative paths are resolved there). */
  readonly cwd: string
  readonly flags: string
  readonly prometheus: string
  readonly audit: string
  readonly webhook: string
  /** `--interval`, e.g. `1s`. */
  readonly interval: string
  /** `--grace`, e.g. `3s`. */
  readonly grace: string
  /** `--max-age`: a couple of scrape intervals, e.g. `3s` for 1 s scrapes. */
  readonly maxAge: string
}

/** `canarykit guard <flags> --prometheus URL …` as its own process, from source. */
export function startGuardProcess(options: GuardProcessOptions, name = 'guard'): Child {
  const args = [
    ...RUN_TS,
    CLI_BIN,
    'guard',
    options.flags,
    '--prometheus',
    options.prometheus,
    '--interval',
    options.interval,
    '--grace',
    options.grace,
    '--max-age',
    options.maxAge,
    '--audit',
    options.audit,
    '--webhook',
    options.webhook,
  ]
  return spawnChild(name, process.execPath, args, { cwd: options.cwd })
}
