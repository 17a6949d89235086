import { isFlagsError, type Clock, type FlagsIssue } from '@canarykit/core'
import type { Alert } from '../actions/alert.js'
import type { ValidationCache } from '../persistence/atomic-update.js'
import { readRollouts, type RolloutsFile } from '../persistence/flags-file.js'
import type { AlertDispatcher } from './alert-dispatcher.js'
import { errorText } from './describe-action.js'

/**
 * Reads the flags file for the guard. An unreadable or invalid file alerts once (until it is
 * valid again) and the last good copy is returned, so judging — and the kill switch — go on
 * while a human's broken edit is on disk; the guard's writes refuse that file by themselves.
 *
 * @internal
 */
export function createFileReader(
  file: string,
  alerts: AlertDispatcher,
  clock: Clock,
  cache: ValidationCache,
): () => Promise<RolloutsFile> {
  let lastGood: RolloutsFile | undefined

  function configAlert(message: string, issues: readonly FlagsIssue[]): Alert {
    return {
      level: 'warning',
      kind: 'config-invalid',
      at: clock(),
      text: `canarykit cannot use ${file}: ${message}. The last good configuration keeps serving; the guard will not write the file until it is fixed.`,
      issues,
    }
  }

  return async () => {
    try {
      const current = await readRollouts(file, { cache })
      lastGood = current
      alerts.clear('config:')
      for (const issue of current.issues) {
        alerts.once(`config:${issue.path}:${issue.message}`, configAlert(issue.message, [issue]))
      }
      return current
    } catch (error) {
      const message = errorText(error)
      const issues = isFlagsError(error) ? error.issues : []
      alerts.once(`config:${message}`, configAlert(message, issues))
      if (lastGood === undefined) throw error
      return lastGood
    }
  }
}
