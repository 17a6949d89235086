/*
 * `pnpm --filter mcp-fleet fleet`: fleet mode once, narrated — three replica processes on one
 * flags file, a real Prometheus, the standalone guard, real MCP clients; a healthy canary
 * completes, a bad one is rolled back. Exits 0 only if both happened.
 */
import { prometheusAvailable, PROMETHEUS_BIN } from './prometheus-process.js'
import { runFleetDemo } from './run-fleet-demo.js'

if (!prometheusAvailable()) {
  console.error(`this demo needs Prometheus at ${PROMETHEUS_BIN} (apt-get install prometheus)`)
  process.exit(1)
}
// Ctrl-C: exit through 'exit', where each fleet kills its process groups (they are detached).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
const result = await runFleetDemo((line) => console.log(line))
process.exitCode = result.completed && result.rolledBack ? 0 : 1
// Everything is stopped by now, so the process ends by itself; should anything linger, say so.
setTimeout(() => {
  console.error('warning: something kept the process alive after the demo; exiting')
  process.exit()
}, 5000).unref()
