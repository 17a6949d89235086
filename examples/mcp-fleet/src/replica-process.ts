import { fileURLToPath } from 'node:url'
import { RUN_TS, spawnChild, type Child } from './child-process.js'
import type { CanaryBehaviour } from './search-tool.js'

const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url))
const REPLICA = fileURLToPath(new URL('replica.ts', import.meta.url))

/** A replica process, serving. */
export interface ReplicaProcess {
  readonly name: string
  /** The MCP endpoint (`http://127.0.0.1:PORT/mcp`). */
  readonly url: string
  /** `127.0.0.1:PORT`: what Prometheus scrapes (`/metrics`) and names as `instance`. */
  readonly target: string
  readonly child: Child
}

/** Starts `src/replica.ts` as its own `node` process; resolves once it serves (bounded). */
export async function startReplica(
  name: string,
  flagsFile: string,
  canary: CanaryBehaviour,
): Promise<ReplicaProcess> {
  const child = spawnChild(
    name,
    process.execPath,
    [...RUN_TS, REPLICA, '--flags', flagsFile, '--name', name, '--canary', canary],
    { cwd: EXAMPLE_DIR, env: { ...process.env, FLEET_LIFELINE: '1' }, stdinLifeline: true },
  )
  try {
    const line = await child.waitForLine(/^\{"name"/, 30_000)
    const ready = JSON.parse(line) as { url: string }
    return { name, url: ready.url, target: new URL(ready.url).host, child }
  } catch (error) {
    await child.stop(1000)
    throw error
  }
}
