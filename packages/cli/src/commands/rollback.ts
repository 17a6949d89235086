import { manualCommand } from '../rollouts/manual-command.js'

export const registerRollback = manualCommand({
  action: 'rollback',
  summary: 'send every unit back to the baseline',
  help: `Rollback removes the flag's targeting and sets its defaultVariant to the baseline, so any
flagd-compatible evaluator serves only the baseline; the removed targeting is kept in the
rollout record. canarykit.pinEpoch goes up by one, which drops sticky MCP sessions pinned to
the canary. Processes serving from the file pick it up with their hot reload. Running, paused
and completed rollouts can be rolled back; start a new rollout to retry.`,
  example: `canarykit rollback flags.json --flag new-search --reason 'INC-42: error spike'`,
})
