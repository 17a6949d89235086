import { manualCommand } from '../rollouts/manual-command.js'

export const registerPause = manualCommand({
  action: 'pause',
  summary: 'stop the guard from judging a rollout; its share keeps being served',
  help: `Pause keeps the current stage and share, and the guard stops judging it (no promotion, no
automatic rollback) until resume. Only a running rollout can be paused.`,
  example: `canarykit pause flags.json --flag new-search --reason 'INC-42: checking logs'`,
})
