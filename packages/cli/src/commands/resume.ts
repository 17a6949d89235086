import { manualCommand } from '../rollouts/manual-command.js'

export const registerResume = manualCommand({
  action: 'resume',
  summary: 'let the guard judge a paused rollout again',
  help: `Resume restarts the current stage's evidence and dwell time, then the guard judges it again.
Only a paused rollout can be resumed.`,
  example: `canarykit resume flags.json --flag new-search --reason 'spike was unrelated'`,
})
