import { FlagsError, type Logger } from '@canarykit/core'
import type { EvaluationRecord, EvaluationRecorder } from './types.js'

/**
 * One function that hands an evaluation to every recorder, each guarded, so that one
 * throwing recorder neither reaches the caller nor starves the others.
 */
export function recordToAll(
  recorders: EvaluationRecorder | readonly EvaluationRecorder[],
  logger: Logger = {},
): (evaluation: EvaluationRecord) => void {
  const list: readonly EvaluationRecorder[] = Array.isArray(recorders)
    ? (recorders as readonly EvaluationRecorder[])
    : [recorders as EvaluationRecorder]
  for (const recorder of list) {
    if (typeof (recorder as Partial<EvaluationRecorder> | null)?.recordEvaluation !== 'function') {
      throw new FlagsError(
        'INVALID_ARGUMENT',
        'every recorder must have a recordEvaluation(evaluation) method (e.g. createPrometheusMetrics())',
      )
    }
  }
  const warn = (error: unknown): void =>
    logger.warn?.(`canarykit telemetry: an evaluation recorder threw: ${String(error)}`)
  if (list.length === 1) {
    const only = list[0] as EvaluationRecorder
    return (evaluation) => {
      try {
        only.recordEvaluation(evaluation)
      } catch (error) {
        warn(error)
      }
    }
  }
  return (evaluation) => {
    for (const recorder of list) {
      try {
        recorder.recordEvaluation(evaluation)
      } catch (error) {
        warn(error)
      }
    }
  }
}
