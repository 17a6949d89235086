import { createServer } from 'node:net'
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Child } from './child-process.js'
import { writeInitialFlags } from './fleet-flags.js'
import { startGuardProcess } from './guard-process.js'
import { startPrometheus, type PrometheusProcess } from './prometheus-process.js'
import { startReplica, type ReplicaProcess } from './replica-process.js'
import type { CanaryBehaviour } from './search-tool.js'
import { startTraffic, type Traffic } from './traffic.js'
import { waitFor } from './wait.js'
import { startWebhookReceiver, type WebhookReceiver } from 'mcp-canary-demo/webhook-receiver'

export interface FleetOptions {
  /** How the canary build behaves in every replica. */
  readonly canary: CanaryBehaviour
  readonly replicas?: number
  /** The guard's `--interval`. Default `1s`. */
  readonly interval?: string
  /** The guard's `--grace` before a metrics outage is alerted. Default `3s`. */
  readonly grace?: string
  /** Concurrent MCP client sessions over all replicas. Default 12. */
  readonly concurrency?: number
}

/**
 * Everything running for one fleet: N replica processes on one flags file, a real Prometheus
 * scraping them every second, the standalone guard judging from it, a webhook receiver, and
 * real MCP clients spread over the replicas.
 */
export interface Fleet {
  readonly dir: string
  readonly flagsFile: string
  readonly auditFile: string
  readonly replicas: readonly ReplicaProcess[]
  readonly prometheus: PrometheusProcess
  readonly webhook: WebhookReceiver
  readonly traffic: Traffic
  /** The guard process running now (a new one after `restartGuard`). */
  guard(): Child
  /** Starts a (new) guard process; the previous one must have exited. */
  restartGuard(): Child
  /** Stops everything (process groups; bounded) and removes the temporary directory. */
  close(): Promise<void>
}

/** Starts a fleet in a fresh temporary directory; on failure, stops what it started. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), 'canarykit-fleet-'))
  const flagsFile = join(dir, 'flags.json')
  const auditFile = join(dir, 'rollouts.jsonl')
  await writeInitialFlags(flagsFile)
  const children: Child[] = []
  const started: {
    webhook?: WebhookReceiver
    prometheus?: PrometheusProcess
    traffic?: Traffic
  } = {}
  // A process that exits without `close()` (Ctrl-C, a test runner giving up) still takes every
  // process group with it, and the temporary directory.
  const killAll = (): void => {
    children.forEach((c) => c.kill('SIGKILL'))
    started.prometheus?.kill()
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', killAll)

  /** Clients first (their sessions end), then the guard (it flushes its alerts), then the rest. */
  async function closeAll(): Promise<void> {
    process.off('exit', killAll)
    await within(started.traffic?.stop(), 10_000)
    const guards = children.filter((c) => c.name.startsWith('guard'))
    await Promise.all(guards.map((c) => c.stop(3000)))
    await Promise.all(children.map((c) => c.stop(3000)))
    await within(started.prometheus?.stop(), 10_000)
    await within(started.webhook?.close(), 5_000)
    await rm(dir, { recursive: true, force: true })
  }

  try {
    const count = options.replicas ?? 3
    const webhook = (started.webhook = await startWebhookReceiver())
    const replicas = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const replica = await startReplica(`r${i + 1}`, flagsFile, options.canary)
        children.push(replica.child)
        return replica
      }),
    )
    const prometheus = (started.prometheus = await startPrometheus({
      dir: join(dir, 'prometheus'),
      port: await freePort(),
      targets: replicas.map((r) => r.target),
    }))
    // Prometheus applies its targets a few seconds after it starts: wait for its first scrapes.
    await waitFor(
      'Prometheus scraping every replica',
      async () => (await prometheus.targetsUp().catch(() => 0)) === count,
      20_000,
      200,
    )
    const guardOptions = {
      cwd: dir,
      flags: 'flags.json',
      prometheus: prometheus.url,
      audit: 'rollouts.jsonl',
      webhook: webhook.url,
      interval: options.interval ?? '1s',
      grace: options.grace ?? '3s',
      maxAge: '3s', // three 1 s scrapes
    }
    let guard = startGuardProcess(guardOptions)
    children.push(guard)
    await guard.waitForLine(/^guarding flags\.json/, 30_000)
    const traffic = (started.traffic = startTraffic({
      urls: replicas.map((r) => r.url),
      concurrency: options.concurrency ?? 12,
      callsPerSession: 5,
    }))
    return {
      dir,
      flagsFile,
      auditFile,
      replicas,
      prometheus,
      webhook,
      traffic,
      guard: () => guard,
      restartGuard() {
        if (guard.running()) throw new Error('the guard is still running')
        guard = startGuardProcess(guardOptions, `guard-${children.length}`)
        children.push(guard)
        return guard
      },
      close: closeAll,
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}

/** Waits for `promise` at most `ms`; never rejects (closing goes on regardless). */
async function within(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))
  await Promise.race([promise?.catch(() => undefined), late])
  clearTimeout(timer)
}

/** A port that was free a moment ago on 127.0.0.1 (Prometheus needs a fixed one to restart on). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no free port')
  return address.port
}
