/** What went wrong, for callers that branch on it. Packages add codes, not subclasses. */
export type FlagsErrorCode =
  | 'INVALID_JSON'
  | 'INVALID_CONFIG'
  | 'SOURCE_UNAVAILABLE'
  | 'NOT_READY'
  | 'WRITE_CONFLICT'
  | 'INVALID_ARGUMENT'

/** One problem found in a flags document, located by flag key and JSON pointer. */
export interface FlagsIssue {
  readonly flagKey?: string
  /** JSON pointer into the document, e.g. `/flags/new-search/defaultVariant`. */
  readonly path: string
  readonly message: string
}

export interface FlagsErrorOptions {
  readonly source?: string | undefined
  readonly issues?: readonly FlagsIssue[]
  readonly cause?: unknown
}

const brand = Symbol.for('canarykit.FlagsError')

/**
 * The one error class canarykit throws, for setup, configuration and IO failures (evaluation
 * never throws). The message names the source, the flag and the JSON path.
 *
 * @example
 * try { engine.load(text, { source: 'flags.json' }) }
 * catch (e) { if (isFlagsError(e)) console.error(e.message) } // previous flags keep serving
 */
export class FlagsError extends Error {
  override readonly name = 'FlagsError'
  readonly code: FlagsErrorCode
  readonly source: string | undefined
  readonly issues: readonly FlagsIssue[]
  readonly [brand] = true

  constructor(code: FlagsErrorCode, message: string, options: FlagsErrorOptions = {}) {
    const issues = options.issues ?? []
    super(formatMessage(message, options.source, issues), { cause: options.cause })
    this.code = code
    this.source = options.source
    this.issues = issues
  }
}

/**
 * True for a `FlagsError` from any copy of canarykit (a brand check, not `instanceof`, so it
 * survives duplicate installs).
 *
 * @example
 * if (isFlagsError(e) && e.code === 'INVALID_CONFIG') showIssues(e.issues)
 */
export function isFlagsError(value: unknown): value is FlagsError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  )
}

/** `flags.json: flag "a": /flags/a/state: must be ENABLED or DISABLED (and 2 more problems)` */
function formatMessage(
  message: string,
  source: string | undefined,
  issues: readonly FlagsIssue[],
): string {
  const prefix = source === undefined ? '' : `${source}: `
  const [first, ...rest] = issues
  if (first === undefined) return prefix + message
  const more =
    rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})`
  return prefix + describeIssue(first) + more
}

/** One issue as text: `flag "a": /flags/a/state: must be ENABLED or DISABLED`. */
export function describeIssue(issue: FlagsIssue): string {
  const flag = issue.flagKey === undefined ? '' : `flag ${JSON.stringify(issue.flagKey)}: `
  return `${flag}${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`
}
