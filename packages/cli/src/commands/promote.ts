import { manualCommand } from '../rollouts/manual-command.js'

export const registerPromote = manualCommand({
  action: 'promote',
  summary: 'move a rollout to its next stage, or with --full to its last',
  help: `Promote sets the next stage of the plan (its share and a fresh dwell time); the last stage
completes the rollout. A paused rollout stays paused at its new stage. A rolled-back or
completed rollout cannot be promoted.`,
  example: `canarykit promote flags.json --flag new-search --reason 'dashboards look fine' --actor alice`,
})
