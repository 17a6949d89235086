import { describeIssue, type FlagsIssue } from '@canarykit/core'
import { plural } from '../output/plural.js'
import { countTargeted, type FlagsFileOutcome } from './load-flags-file.js'

/**
 * A flags file passes when it loads and no flag is broken: a broken flag loads, but every
 * evaluation of it returns `ERROR/PARSE_ERROR`, which an operator must fix before shipping.
 */
export function outcomeOk(outcome: FlagsFileOutcome): boolean {
  return outcome.kind === 'loaded' && outcome.result.brokenFlags.length === 0
}

/** The human report: a summary line, then one indented line per error and warning. */
export function outcomeLines(outcome: FlagsFileOutcome): string[] {
  const { file } = outcome
  switch (outcome.kind) {
    case 'unreadable':
      return [`${file}: ${outcome.message}`]
    case 'invalid':
      return [
        `${file}: invalid, ${plural(outcome.errors.length, 'error')}`,
        ...outcome.errors.map((issue) => `  error: ${describeIssue(issue)}`),
      ]
    case 'loaded': {
      const { engine, result } = outcome
      const broken = result.brokenFlags
      const parts = [
        broken.length === 0 ? 'ok' : 'invalid',
        `${plural(engine.flagKeys().length, 'flag')} (${countTargeted(engine)} with targeting)`,
      ]
      if (broken.length > 0) parts.push(plural(broken.length, 'broken flag'))
      if (result.warnings.length > 0) parts.push(plural(result.warnings.length, 'warning'))
      return [
        `${file}: ${parts.join(', ')}`,
        ...broken.map((issue) => `  error: ${describeIssue(issue)} (evaluates to PARSE_ERROR)`),
        ...result.warnings.map((issue) => `  warning: ${describeIssue(issue)}`),
      ]
    }
  }
}

/** The `--json` report of one file. */
export interface OutcomeJson {
  readonly file: string
  readonly ok: boolean
  readonly status: 'ok' | 'invalid' | 'unreadable'
  readonly flags?: number
  readonly flagsWithTargeting?: number
  readonly errors: readonly FlagsIssue[]
  readonly brokenFlags: readonly FlagsIssue[]
  readonly warnings: readonly FlagsIssue[]
}

export function outcomeJson(outcome: FlagsFileOutcome): OutcomeJson {
  const { file } = outcome
  const none: readonly FlagsIssue[] = []
  switch (outcome.kind) {
    case 'unreadable':
      return {
        file,
        ok: false,
        status: 'unreadable',
        errors: [{ path: '', message: outcome.message }],
        brokenFlags: none,
        warnings: none,
      }
    case 'invalid':
      return {
        file,
        ok: false,
        status: 'invalid',
        errors: outcome.errors,
        brokenFlags: none,
        warnings: none,
      }
    case 'loaded': {
      const ok = outcomeOk(outcome)
      return {
        file,
        ok,
        status: ok ? 'ok' : 'invalid',
        flags: outcome.engine.flagKeys().length,
        flagsWithTargeting: countTargeted(outcome.engine),
        errors: none,
        brokenFlags: outcome.result.brokenFlags,
        warnings: outcome.result.warnings,
      }
    }
  }
}
