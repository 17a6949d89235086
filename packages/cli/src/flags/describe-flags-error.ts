import { describeIssue, isFlagsError, type FlagsIssue } from '@canarykit/core'
import { describeFsError } from './read-text-file.js'

/**
 * A failed read or write of a flags file, for the operator: a headline naming the file and the
 * consequence (`nothing was written`), then one indented line per issue (flag and JSON path).
 * `file` is the path as the operator typed it.
 */
export function flagsErrorLines(file: string, error: unknown, consequence: string): string[] {
  if (!isFlagsError(error)) {
    return [`${file}: ${describeFsError(error)}; ${consequence}`]
  }
  const what =
    error.issues.length === 0
      ? stripSource(error.message, error.source)
      : error.code === 'INVALID_JSON'
        ? 'invalid JSON'
        : // No source: the guard refused the edit itself (e.g. targeting it cannot rewrite).
          error.source === undefined
          ? 'the edit is refused'
          : 'invalid'
  return [`${file}: ${what}; ${consequence}`, ...issueLines(error.issues)]
}

/** `  error: flag "a": /flags/a/state: must be ENABLED or DISABLED` per issue. */
export function issueLines(issues: readonly FlagsIssue[]): string[] {
  return issues.map((issue) => `  error: ${describeIssue(issue)}`)
}

/** FlagsError messages start with their source (an absolute path here); the CLI names the file itself. */
function stripSource(message: string, source: string | undefined): string {
  const prefix = source === undefined ? '' : `${source}: `
  return prefix !== '' && message.startsWith(prefix) ? message.slice(prefix.length) : message
}
