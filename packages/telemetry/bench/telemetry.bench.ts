/**
 * `pnpm bench` for @canarykit/telemetry: what the telemetry hooks cost, as ratios to the
 * un-instrumented path, all peers in one process, interleaved round by round.
 *  1. Per evaluation: core's `engine.evaluate` (a 50 % rollout, 1,000 rotating targeting keys),
 *     bare and through `instrumentEngine` with prom-client, OTel metrics on the no-op API meter,
 *     OTel metrics on a real SDK meter, and `feature_flag.evaluation` events on a real SDK logger.
 *  2. Per tool call: the real router's callback (called directly, as McpServer calls it; core
 *     engine, pinned sessions), bare and with each sink, and with the tracing interceptor on the
 *     no-op API tracer and on a real SDK tracer.
 *  3. One `sink.record(outcome)` alone, per backend (absolute ns: nothing to compare with).
 *  4. The tracing interceptor alone around a resolved implementation, against a pass-through
 *     interceptor (the router's own interceptor mechanism is in 2, not here).
 *
 *   pnpm --filter @canarykit/telemetry bench [-- --json] [--rounds N] [--batch-ms B]
 *
 * With `--json`, stdout is exactly one JSON object; progress goes to stderr.
 */
import { cpus, loadavg } from 'node:os'
import { createEngine, type Outcome, type OutcomeSink } from '@canarykit/core'
import { createCanaryRouter, type RequestExtra } from '@canarykit/mcp'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs'
import { LoggerProvider } from '@opentelemetry/sdk-logs'
import {
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { rolloutDocument, FLAG, TOOL } from '../test/mcp-traffic.js'
import {
  createEvaluationEvents,
  createOtelMetrics,
  createPrometheusMetrics,
  instrumentEngine,
  tracingInterceptor,
  type CallInterceptor,
  type EvaluationRecorder,
} from '../src/index.js'

interface Options {
  readonly json: boolean
  readonly rounds: number
  readonly batchMs: number
}

function parseArgs(argv: readonly string[]): Options {
  let json = false
  let rounds = 41
  let batchMs = 15
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const number = (): number => {
      const n = Number(argv[++i])
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${arg} needs a positive number`)
      return n
    }
    if (arg === '--') continue
    else if (arg === '--json') json = true
    else if (arg === '--rounds') rounds = Math.round(number())
    else if (arg === '--batch-ms') batchMs = number()
    else throw new Error(`unknown argument ${arg}; usage: [--json] [--rounds N] [--batch-ms B]`)
  }
  return { json, rounds, batchMs }
}

type Batch = (n: number) => void | Promise<void>

interface Peer {
  readonly group: 'evaluation' | 'tool call' | 'record' | 'intercept'
  readonly name: string
  /** The peer this one is a ratio to (same group). */
  readonly baseline?: string
  readonly batch: Batch
  size: number
  readonly samples: number[]
}

async function timeBatch(peer: Peer): Promise<number> {
  const start = process.hrtime.bigint()
  await peer.batch(peer.size)
  return Number(process.hrtime.bigint() - start) / peer.size
}

/** Sizes each batch to ~batchMs, warms up, then runs `rounds` rounds, rotating the start. */
async function measure(peers: Peer[], options: Options, log: (l: string) => void): Promise<void> {
  for (const peer of peers) {
    let n = 16
    let best = Number.POSITIVE_INFINITY
    for (let trial = 0; trial < 6 || best * n < (options.batchMs * 1e6) / 8; trial++) {
      const start = process.hrtime.bigint()
      await peer.batch(n)
      best = Math.min(best, Number(process.hrtime.bigint() - start) / n)
      if (best * n < (options.batchMs * 1e6) / 8) n *= 2
      if (n >= 1 << 22) break
    }
    peer.size = Math.max(16, Math.round((options.batchMs * 1e6) / best))
    for (let i = 0; i < 3; i++) await timeBatch(peer)
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < peers.length; k++) {
      const peer = peers[(round + k) % peers.length] as Peer
      peer.samples.push(await timeBatch(peer))
    }
    if ((round + 1) % 5 === 0) log(`round ${round + 1}/${options.rounds}`)
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  const log = (line: string): void => void process.stderr.write(`${line}\n`)

  // --- Backends -----------------------------------------------------------------------------
  const prom = createPrometheusMetrics()
  const otelNoop = createOtelMetrics()
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(0),
    exportIntervalMillis: 3_600_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const otelSdk = createOtelMetrics({ meter: meterProvider.getMeter('bench') })
  // A real logs SDK whose processor drops records: the cost up to the export queue.
  const dropping: LogRecordProcessor = {
    onEmit: () => undefined,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  }
  const loggerProvider = new LoggerProvider({ processors: [dropping] })
  const events = createEvaluationEvents({ logger: loggerProvider.getLogger('bench') })
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()] })

  // --- 1. Per evaluation --------------------------------------------------------------------
  const contexts = Array.from({ length: 1000 }, (_, i) => ({ targetingKey: `session-${i}` }))
  const engineWith = (recorder?: EvaluationRecorder) => {
    const bare = createEngine()
    const engine = recorder === undefined ? bare : instrumentEngine(bare, recorder)
    engine.load(rolloutDocument(50))
    let i = 0
    return (n: number): void => {
      for (let k = 0; k < n; k++) {
        engine.evaluate(FLAG, 'none', contexts[i++ % 1000])
      }
    }
  }

  // --- 2. Per tool call ---------------------------------------------------------------------
  const hit: CallToolResult = { content: [{ type: 'text', text: 'hit' }] }
  const signal = new AbortController().signal
  const extras = Array.from(
    { length: 100 },
    (_, i) => ({ signal, requestId: i, sessionId: `session-${i}` }) as RequestExtra,
  )
  const routedWith = (sink?: OutcomeSink, interceptor?: CallInterceptor) => {
    const engine = createEngine()
    engine.load(rolloutDocument(50))
    const router = createCanaryRouter({
      evaluator: engine,
      ...(sink === undefined ? {} : { sinks: [sink] }),
      ...(interceptor === undefined ? {} : { interceptors: [interceptor] }),
    })
    const impl = (_args: { q: string }, _extra: RequestExtra): Promise<CallToolResult> =>
      Promise.resolve(hit)
    const search = router.tool({ name: TOOL, flag: FLAG, variants: { stable: impl, canary: impl } })
    let i = 0
    return async (n: number): Promise<void> => {
      for (let k = 0; k < n; k++) await search({ q: 'x' }, extras[i++ % 100] as RequestExtra)
    }
  }

  // --- 3. One record --------------------------------------------------------------------------
  const outcomes: Outcome[] = ['stable', 'canary'].map((variant, i) => ({
    flagKey: FLAG,
    variant,
    operation: TOOL,
    unitKey: `session-${i}`,
    latencyMs: 1.5 + i,
    error: false,
    overridden: false,
  }))
  const recordInto = (sink: OutcomeSink) => {
    let i = 0
    return (n: number): void => {
      for (let k = 0; k < n; k++) sink.record(outcomes[i++ & 1] as Outcome)
    }
  }

  // --- 4. One interceptor alone, around an already-resolved implementation ------------------
  const call = {
    method: 'tools/call',
    operation: TOOL,
    flagKey: FLAG,
    variant: 'canary',
    reason: 'STICKY',
    overridden: false,
  }
  const resolved = (): Promise<CallToolResult> => Promise.resolve(hit)
  const around =
    (interceptor: CallInterceptor) =>
    async (n: number): Promise<void> => {
      for (let k = 0; k < n; k++) await interceptor(call, resolved)
    }
  const passThrough: CallInterceptor = (_call, next) => next()

  const peer = (group: Peer['group'], name: string, batch: Batch, baseline?: string): Peer => ({
    group,
    name,
    batch,
    size: 0,
    samples: [],
    ...(baseline === undefined ? {} : { baseline }),
  })
  const peers: Peer[] = [
    peer('evaluation', 'engine', engineWith()),
    peer('evaluation', 'engine + prom-client', engineWith(prom), 'engine'),
    peer('evaluation', 'engine + OTel no-op meter', engineWith(otelNoop), 'engine'),
    peer('evaluation', 'engine + OTel SDK meter', engineWith(otelSdk), 'engine'),
    peer('evaluation', 'engine + OTel SDK events', engineWith(events), 'engine'),
    peer('tool call', 'router', routedWith()),
    peer('tool call', 'router + prom-client sink', routedWith(prom), 'router'),
    peer('tool call', 'router + OTel no-op meter sink', routedWith(otelNoop), 'router'),
    peer('tool call', 'router + OTel SDK meter sink', routedWith(otelSdk), 'router'),
    peer(
      'tool call',
      'router + pass-through interceptor',
      routedWith(undefined, passThrough),
      'router',
    ),
    peer(
      'tool call',
      'router + tracing (no-op API)',
      routedWith(undefined, tracingInterceptor()),
      'router',
    ),
    peer(
      'tool call',
      'router + tracing (SDK tracer)',
      routedWith(undefined, tracingInterceptor({ tracer: tracerProvider.getTracer('bench') })),
      'router',
    ),
    peer('intercept', 'pass-through interceptor', around(passThrough)),
    peer(
      'intercept',
      'tracing (no-op API)',
      around(tracingInterceptor()),
      'pass-through interceptor',
    ),
    peer(
      'intercept',
      'tracing (SDK tracer)',
      around(tracingInterceptor({ tracer: tracerProvider.getTracer('bench') })),
      'pass-through interceptor',
    ),
    peer('record', 'record: prom-client', recordInto(prom)),
    peer('record', 'record: OTel no-op meter', recordInto(otelNoop)),
    peer('record', 'record: OTel SDK meter', recordInto(otelSdk)),
  ]

  log(
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg()[0]?.toFixed(2)}`,
  )
  const started = Date.now()
  await measure(peers, options, log)
  const byName = new Map(peers.map((p) => [p.name, median(p.samples)]))
  const rows = peers.map((p) => {
    const ns = byName.get(p.name) as number
    const base = p.baseline === undefined ? undefined : (byName.get(p.baseline) as number)
    return {
      group: p.group,
      name: p.name,
      ns: round(ns),
      ...(base === undefined ? {} : { ratio: round(ns / base, 3), added_ns: round(ns - base) }),
      min_ns: round(Math.min(...p.samples)),
      max_ns: round(Math.max(...p.samples)),
    }
  })
  await meterProvider.shutdown()
  await loggerProvider.shutdown()
  await tracerProvider.shutdown()

  const meta = {
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    rounds: options.rounds,
    batch_ms: options.batchMs,
    seconds: round((Date.now() - started) / 1000, 1),
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ results: rows, meta })}\n`)
    return
  }
  const table = rows.map((r) => {
    const ratio =
      'ratio' in r
        ? `${r.ratio.toFixed(2)}×  (+${r.added_ns} ns)`
        : r.group === 'record'
          ? 'absolute'
          : 'baseline'
    return `${r.group.padEnd(11)} ${r.name.padEnd(34)} ${String(r.ns).padStart(8)} ns   ${ratio}`
  })
  process.stdout.write(
    `${['group       peer                                     median   vs baseline', ...table].join('\n')}\n`,
  )
  process.stdout.write(`(${meta.rounds} rounds, ${meta.seconds} s)\n`)
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  process.exitCode = 1
})
