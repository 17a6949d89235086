import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createCanary, type Alert, type Canary, type Criteria, type Plan } from 'canarykit'
import type { DemoOptions } from './demo-options.js'
import { prepareFiles, type DemoFiles } from './flags-setup.js'
import { createLiveView } from './live-view.js'
import { startMcpHttpServer, type McpHttpServer } from './mcp-http-server.js'
import { frameLines, progressLine, stamp, type RolloutFrame, type VariantRow } from './render.js'
import { BUILDS, searchTool, type Build } from './search-builds.js'
import { createTally, type Tally } from './tally.js'
import { startTraffic } from './traffic.js'
import { printEvidence, printIntro, printSummary, serveUntilInterrupted } from './report.js'
import { startWebhookReceiver } from './webhook-receiver.js'

/** Where the demo writes, and whether it may redraw in place. */
export interface DemoIo {
  readonly write: (text: string) => void
  readonly tty: boolean
  readonly columns?: () => number
}

export interface DemoResult {
  readonly completed: boolean
  readonly rolledBack: boolean
  readonly seconds: number
  readonly files: DemoFiles
}

interface Release {
  readonly flagKey: string
  readonly stable: Build
  readonly canary: Build
  readonly expected: 'complete' | 'rollback'
}

/** Two releases of the `search` tool: v1 → v2 (healthy), then v2 → v3 (a regression). */
const RELEASES: readonly Release[] = [
  { flagKey: 'search-v2', stable: BUILDS.v1, canary: BUILDS.v2, expected: 'complete' },
  { flagKey: 'search-v3', stable: BUILDS.v2, canary: BUILDS.v3, expected: 'rollback' },
]

const STAGES = [1, 10, 50, 100] as const

/** The product's default plan, compressed from minutes to seconds. */
export function demoPlan(dwellS: number): Plan {
  return {
    stages: STAGES.map((percentage) =>
      percentage === 100 ? { percentage } : { percentage, minDurationS: dwellS },
    ),
  }
}

/**
 * The product's default criteria, with a demo-sized minimum sample: at 1 % a stage of seconds
 * sees a handful of canary sessions, not the default 5 sessions and 50 calls.
 */
const DEMO_MINIMUM = { minSessionsPerVariant: 2, minCallsPerVariant: 20 } as const
export const DEMO_CRITERIA: Criteria = DEMO_MINIMUM

/**
 * Runs both rollouts against a real MCP server driven by real MCP clients, and reports them.
 * Resolves once everything it started is closed (after Ctrl-C with `serve`).
 */
export async function runDemo(options: DemoOptions, io: DemoIo): Promise<DemoResult> {
  const began = Date.now()
  const at = (): number => (Date.now() - began) / 1000
  const view = createLiveView({
    write: io.write,
    tty: io.tty,
    progressEveryMs: 2000,
    ...(io.columns === undefined ? {} : { columns: io.columns }),
  })
  const s = view.style
  const { pace, seed } = options
  const files = await prepareFiles(
    options.dir ?? (await mkdtemp(join(tmpdir(), 'canarykit-demo-'))),
  )
  const outcomes = new Map<string, (kind: 'complete' | 'rollback') => void>()

  const onAlert = (alert: Alert): void => {
    if (alert.flagKey === undefined) return view.print(`${stamp(at())}  ${s.yellow(alert.text)}`)
    const reason = alert.decision?.reason ?? alert.reason ?? alert.text
    const kind = alert.kind.padEnd(9)
    const paint = alert.kind === 'rollback' ? s.red : alert.kind === 'complete' ? s.green : s.bold
    view.print(`${stamp(at())}  ${alert.flagKey}  ${paint(kind)}${reason}`)
    if (alert.kind === 'complete' || alert.kind === 'rollback')
      outcomes.get(alert.flagKey)?.(alert.kind)
  }

  const webhook = await startWebhookReceiver((message) => {
    if (message.canarykit.kind === 'rollback') {
      view.print(`${stamp(at())}  ${s.red('webhook received the rollback alert')} (${webhook.url})`)
    }
  })
  // The guard also logs each alert's text ("canarykit: `flag`: …"); the alert lines show those.
  const log = (message: string): void => {
    if (!message.startsWith('canarykit: `')) view.print(s.yellow(`log: ${message}`))
  }
  const tally = createTally()
  let server: McpHttpServer | undefined
  let canary: Canary | undefined
  try {
    canary = await createCanary({
      flagsFile: files.flagsFile,
      alerts: { webhook: webhook.url, onAlert },
      plan: demoPlan(pace.dwellS),
      criteria: DEMO_CRITERIA,
      checkIntervalMs: pace.checkIntervalMs,
      routing: { sinks: tally },
      logger: { warn: log, error: log },
    })
    let sessionCount = 0
    const router = canary.router
    server = await startMcpHttpServer({
      metricsHandler: canary.metricsHandler,
      sessionId: () => `s${seed}-${++sessionCount}`,
      onSessionClosed: (id) => router.releaseSession(id),
    })
    printIntro(view, options, { stages: STAGES, ...DEMO_MINIMUM }, { server, webhook, files })

    const ended: string[] = []
    const releaseSeconds: number[] = []
    for (const [i, release] of RELEASES.entries()) {
      const startedAt = at()
      const outcome = await runRelease(i + 1, release)
      releaseSeconds.push(at() - startedAt)
      if (outcome === release.expected) ended.push(release.flagKey)
    }
    const completed = ended.includes('search-v2')
    const rolledBack = ended.includes('search-v3')
    await printEvidence(view, webhook, files)
    const seconds = at()
    printSummary(view, { completed, rolledBack, seconds, releaseSeconds, files })
    if (options.serve) await serveUntilInterrupted(view, server)
    return { completed, rolledBack, seconds, files }
  } finally {
    await server?.close()
    await canary?.close()
    await webhook.close()
  }

  /** Deploys a release, starts its rollout, drives traffic until the guard ends it. */
  async function runRelease(
    index: number,
    release: Release,
  ): Promise<'complete' | 'rollback' | 'timeout'> {
    const c = canary as Canary
    const srv = server as McpHttpServer
    const { flagKey, stable, canary: next } = release
    const outcome = new Promise<'complete' | 'rollback'>((resolve) =>
      outcomes.set(flagKey, resolve),
    )
    let ended: 'complete' | 'rollback' | undefined
    void outcome.then((kind) => (ended = kind))

    view.print('')
    view.print(
      s.bold(
        `deploy #${index}: stable = ${stable.name} (${stable.summary}), canary = ${next.name} (${next.summary})`,
      ),
    )
    const variants = { stable: searchTool(stable, seed), canary: searchTool(next, seed) }
    srv.deploy(c.tool({ flag: flagKey, name: 'search', variants }))
    await c.rollout(flagKey, { actor: 'demo', reason: `release ${next.name}` })

    const traffic = startTraffic({
      url: srv.url,
      concurrency: pace.concurrency,
      callsPerSession: pace.callsPerSession,
      seed,
    })
    const started = Date.now()
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const frame = async (): Promise<RolloutFrame> => {
      const status = (await c.guard.status()).find((r) => r.flagKey === flagKey)
      const elapsedS = (Date.now() - started) / 1000
      const stats = traffic.stats()
      return {
        index,
        count: RELEASES.length,
        flagKey,
        stable,
        canary: next,
        elapsedS,
        stages: STAGES,
        status,
        rows: {
          stable: rowOf(c, tally, flagKey, 'stable'),
          canary: rowOf(c, tally, flagKey, 'canary'),
        },
        traffic: stats,
        sessionsPerS: elapsedS > 0 ? stats.sessions / elapsedS : 0,
        concurrency: pace.concurrency,
        loopDelayP99Ms: loop.percentile(99) / 1e6,
      }
    }
    const deadline = started + pace.rolloutTimeoutS * 1000
    while (ended === undefined && Date.now() < deadline) {
      await sleep(250)
      const f = await frame()
      view.update(frameLines(f, s), progressLine(f, at()))
    }
    await traffic.stop()
    loop.disable()
    const last = await frame()
    view.update(frameLines(last, s), progressLine(last, at()))
    view.settle()
    if (ended === undefined) {
      view.print(s.red(`${flagKey}: no decision within ${pace.rolloutTimeoutS} s`))
      return 'timeout'
    }
    return ended
  }
}

/** A variant's current-stage evidence (what the guard judges) and its totals. */
function rowOf(canary: Canary, tally: Tally, flagKey: string, variant: string): VariantRow {
  const v = canary.recorder.snapshot(flagKey).variants[variant]
  return {
    stage: {
      sessions: v?.sessions ?? 0,
      calls: v?.calls ?? 0,
      errors: v?.errors ?? 0,
      p99Ms: v !== undefined && v.latency.count > 0 ? v.latency.quantile(0.99) : undefined,
    },
    total: tally.totals(flagKey, variant),
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
