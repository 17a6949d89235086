import { basename, dirname, extname, join, resolve } from 'node:path'

/**
 * The default audit log: beside the flags file, named after it (`flags.json` →
 * `flags.audit.jsonl`). The guard already needs write access to that directory (it replaces the
 * flags file atomically), and an operator finds the log where the file is.
 *
 * @internal
 */
export function defaultAuditFile(flagsFile: string): string {
  const file = resolve(flagsFile)
  const stem = basename(file, extname(file))
  return join(dirname(file), `${stem}.audit.jsonl`)
}
