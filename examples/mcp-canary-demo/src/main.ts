// Placeholder until the MCP routing and guard packages land: says what the demo will show and
// evaluates the demo's rollout flag with the engine that exists today.
import { createEngine, rolloutFlag } from '@canarykit/core'

const plan = [1, 10, 50, 100]
const engine = createEngine()
for (const percentage of plan) {
  const flag = rolloutFlag({ variants: { baseline: ['stable', 'v1'], canary: ['canary', 'v2'] }, percentage })
  engine.load({ flags: { 'search-v2': flag } })
  let canary = 0
  for (let session = 0; session < 10_000; session++) {
    if (engine.evaluate('search-v2', 'v1', { targetingKey: `session-${session}` }).variant === 'canary') canary++
  }
  console.log(`stage ${String(percentage).padStart(3)} %: ${canary} of 10000 sessions on the canary`)
}
console.log(`
The full demo (coming with the MCP routing and guard issues) runs a real MCP server over
Streamable HTTP with two implementations of one tool, drives it with many real MCP client
sessions, lets the guard walk a healthy canary 1 % -> 10 % -> 50 % -> 100 %, and rolls back a
regressing one by itself, with the alert, the audit record and the flags file to show for it.`)
