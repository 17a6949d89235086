/*
 * One replica of the fleet, as its own process: an MCP server whose `search` tool is canaried
 * by canarykit on the shared flags file (hot-reloaded), with Prometheus `/metrics`. It judges
 * nothing: the standalone guard (`canarykit guard`) is the fleet's only writer of the file.
 *
 *   node --import tsx --conditions=@canarykit/source src/replica.ts \
 *     --flags /shared/flags.json --name r1 --canary healthy|failing
 *
 * Prints one JSON line when it serves: {"name","url","metricsUrl","pid"}. Stops on SIGTERM (and,
 * with FLEET_LIFELINE=1, when its stdin closes: its parent is gone).
 */
import { parseArgs } from 'node:util'
import { createCanary } from 'canarykit'
import { randomUUID } from 'node:crypto'
import { startMcpHttpServer } from 'mcp-canary-demo/mcp-http-server'
import { searchBuilds, type CanaryBehaviour } from './search-tool.js'
import { FLAG } from './fleet-flags.js'

const { values } = parseArgs({
  options: {
    flags: { type: 'string' },
    name: { type: 'string', default: 'replica' },
    canary: { type: 'string', default: 'healthy' },
  },
})
const behaviour = values.canary as CanaryBehaviour
if (values.flags === undefined || (behaviour !== 'healthy' && behaviour !== 'failing')) {
  console.error('usage: replica.ts --flags FILE [--name NAME] [--canary healthy|failing]')
  process.exit(2)
}

const log = (message: string): void => console.error(`${values.name}: ${message}`)
const canary = await createCanary({
  flagsFile: values.flags,
  audit: false,
  // The standalone guard is the fleet's only judge and writer: this replica never checks.
  checkIntervalMs: false,
  reload: { debounceMs: 20 },
  logger: { warn: log, error: log },
})
const builds = searchBuilds(behaviour)
const search = canary.tool({
  flag: FLAG,
  name: 'search',
  variants: { stable: builds.stable, canary: builds.canary },
})
// The demo's server: Streamable HTTP on 127.0.0.1, one McpServer per session, `/metrics`.
const server = await startMcpHttpServer({
  metricsHandler: canary.metricsHandler,
  sessionId: randomUUID,
  onSessionClosed: (id) => canary.router.releaseSession(id),
})
server.deploy(search)
const stop = (): void => {
  void Promise.all([server.close(), canary.close()]).finally(() => process.exit(0))
}
process.once('SIGTERM', stop)
// Started with a stdin pipe by the fleet harness: when that process is gone, so is this one.
if (process.env['FLEET_LIFELINE'] === '1') process.stdin.once('close', stop).resume()
console.log(
  JSON.stringify({
    name: values.name,
    url: server.url,
    metricsUrl: server.metricsUrl,
    pid: process.pid,
  }),
)
