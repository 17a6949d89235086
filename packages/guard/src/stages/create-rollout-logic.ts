import { DEFAULT_CRITERIA } from '../judge/criteria.js'
import type { MetricsRecorder } from '../metrics/metrics-recorder.js'
import type { RolloutLogic } from '../shell/rollout-logic.js'
import {
  pauseRollout,
  promoteRollout,
  resumeRollout,
  rollbackRollout,
} from './manual-transitions.js'
import { DEFAULT_PLAN } from './plan.js'
import { stepRollout } from './step-rollout.js'

/**
 * The package's judge and stage machine over a metrics recorder, as the rollout guard's IO shell
 * uses them: each stage's evidence is keyed by its `stageStartedAt`.
 *
 * @example
 * const recorder = createMetricsRecorder()
 * const guard = createRolloutGuard({ file: 'flags.json', engine, logic: createRolloutLogic(recorder) })
 */
export function createRolloutLogic(recorder: MetricsRecorder): RolloutLogic {
  return {
    defaultPlan: DEFAULT_PLAN,
    defaultCriteria: DEFAULT_CRITERIA,
    step: (state, now) =>
      stepRollout(state, recorder.snapshot(state.flagKey, state.stageStartedAt), now),
    stageStarted: (state) => recorder.startStage(state.flagKey, state.stageStartedAt),
    promote: promoteRollout,
    rollback: rollbackRollout,
    pause: pauseRollout,
    resume: resumeRollout,
  }
}
