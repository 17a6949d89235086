/**
 * `pnpm bench` for @canarykit/mcp. In one process, peers interleaved in many short rounds (each
 * round in a fresh random order), so every peer meets the same machine:
 *  1. a tool call through the real SDK (Client → InMemoryTransport → McpServer) to an unwrapped
 *     tool returning the plain result, and to the same implementation behind `canaryTool` with
 *     defaults (a pinned session, a core engine with a percentage rollout, one outcome sink,
 *     the variant in `_meta`); plus a second, identical unwrapped tool (the A/A twin: what two
 *     identical peers differ by is the noise floor), `canaryTool` with `resultMetaKey: false`,
 *     and an unwrapped tool that returns the same `_meta` key (what the SDK charges for it);
 *  2. the callbacks called directly (no SDK), which isolates the wrapper's own cost, also with
 *     one pass-through interceptor;
 *  3. recording one outcome into `createOutcomeRecorder()`.
 * Every "added" figure is the median over rounds of (peer − unwrapped peer) in the same round.
 * Targets (issue 5): ≤ 2 µs added per call, ≤ 200 ns per recorded outcome.
 *
 *   pnpm --filter @canarykit/mcp bench [-- --json] [--rounds N] [--batch-ms B] [--seed S]
 *
 * With `--json`, stdout is exactly one JSON object; progress goes to stderr.
 */
import { cpus, loadavg } from 'node:os'
import { createEngine, rolloutFlag, type Outcome } from '@canarykit/core'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer, type ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import {
  canaryTool,
  createOutcomeRecorder,
  VARIANT_META_KEY,
  type CallInterceptor,
  type RequestExtra,
} from '../src/index.js'
import { measure, median, paired, quantile, type Batch, type Peer } from './harness.js'

const TARGET_ADDED_NS = 2000
const TARGET_RECORD_NS = 200
const FLAG = 'search-v2'

interface Options {
  readonly json: boolean
  readonly rounds: number
  readonly batchMs: number
  readonly seed: number
}

function parseArgs(argv: readonly string[]): Options {
  let json = false
  let rounds = 121
  let batchMs = 20
  let seed = 5
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
    else if (arg === '--seed') seed = Math.round(number())
    else
      throw new Error(
        `unknown argument ${arg}; usage: router.bench.ts [--json] [--rounds N] [--batch-ms B] [--seed S]`,
      )
  }
  return { json, rounds, batchMs, seed }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  const log = (line: string): void => void process.stderr.write(`${line}\n`)

  // --- The server: one implementation, registered unwrapped (twice) and routed --------------
  const engine = createEngine()
  engine.load({
    flags: {
      [FLAG]: rolloutFlag({
        variants: { baseline: ['stable', 'v1'], canary: ['canary', 'v2'] },
        percentage: 50,
      }),
    },
  })
  const recorder = createOutcomeRecorder()
  const shape = { q: z.string() }
  const result: CallToolResult = { content: [{ type: 'text', text: 'hit' }] }
  // Tools are async in practice; a pending result is also the router's costlier path.
  const impl: ToolCallback<typeof shape> = () => Promise.resolve(result)
  const routeOptions = {
    name: 'search',
    flag: FLAG,
    evaluator: engine,
    sinks: recorder,
    variants: { stable: impl, canary: impl },
  }
  const routed = canaryTool(routeOptions)
  const passThrough: CallInterceptor = (_call, next) => next()
  const intercepted = canaryTool({ ...routeOptions, interceptors: [passThrough] })
  const server = new McpServer({ name: 'bench', version: '1.0.0' })
  server.registerTool('plain', { inputSchema: shape }, impl)
  server.registerTool('plain-twin', { inputSchema: shape }, impl)
  server.registerTool('routed', { inputSchema: shape }, routed)
  server.registerTool(
    'routed-no-meta',
    { inputSchema: shape },
    canaryTool({ ...routeOptions, resultMetaKey: false }),
  )
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  serverTransport.sessionId = 'bench-session'
  await server.connect(serverTransport)
  const client = new Client({ name: 'bench-client', version: '1.0.0' })
  await client.connect(clientTransport)

  // Correctness first: both answer the same; the routed one names its variant.
  const plainResult = await client.callTool({ name: 'plain', arguments: { q: 'x' } })
  const routedResult = await client.callTool({ name: 'routed', arguments: { q: 'x' } })
  const variant = routedResult._meta?.[VARIANT_META_KEY]
  const { _meta, ...routedRest } = routedResult
  if (
    JSON.stringify(plainResult) !== JSON.stringify(routedRest) ||
    JSON.stringify(_meta) !== JSON.stringify({ [VARIANT_META_KEY]: variant }) ||
    typeof variant !== 'string'
  ) {
    throw new Error(`results differ: ${JSON.stringify({ plainResult, routedResult })}`)
  }
  log(`session bench-session is pinned to ${variant}`)
  const withMeta: CallToolResult = { ...result, _meta: { [VARIANT_META_KEY]: variant } }
  server.registerTool('plain-with-meta', { inputSchema: shape }, () => Promise.resolve(withMeta))

  const args = { q: 'x' }
  const extra = {
    signal: new AbortController().signal,
    sessionId: 'bench-session',
    requestId: 1,
  } as RequestExtra
  const outcomes: Outcome[] = ['stable', 'canary'].map((v, i) => ({
    flagKey: FLAG,
    variant: v,
    operation: 'search',
    unitKey: `session-${i}`,
    latencyMs: 1.5 + i,
    error: false,
    success: true,
    overridden: false,
  }))
  const sdkCall =
    (name: string): Batch =>
    async (n) => {
      for (let i = 0; i < n; i++) await client.callTool({ name, arguments: args })
    }
  const directCall =
    (cb: (a: typeof args, e: RequestExtra) => unknown): Batch =>
    async (n) => {
      for (let i = 0; i < n; i++) await cb(args, extra)
    }
  const peer = (name: string, batch: Batch): Peer => ({ name, batch, size: 0, samples: [] })
  const peers = [
    peer('sdk-unwrapped', sdkCall('plain')),
    peer('sdk-unwrapped-twin', sdkCall('plain-twin')),
    peer('sdk-canary', sdkCall('routed')),
    peer('sdk-canary-no-meta', sdkCall('routed-no-meta')),
    peer('sdk-unwrapped-with-meta', sdkCall('plain-with-meta')),
    peer('direct-unwrapped', directCall(impl)),
    peer('direct-canary', directCall(routed)),
    peer('direct-canary-interceptor', directCall(intercepted)),
    peer('record-outcome', (n) => {
      for (let i = 0; i < n; i++) recorder.record(outcomes[i & 1] as Outcome)
      return Promise.resolve()
    }),
    peer('empty-loop', (n) => {
      let x = 0
      for (let i = 0; i < n; i++) x += (outcomes[i & 1] as Outcome).latencyMs ?? 0
      return Promise.resolve(void (x < 0 && log('')))
    }),
  ]
  const started = process.hrtime.bigint()
  await measure(peers, options, log)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await client.close()
  await server.close()

  // --- Report ------------------------------------------------------------------------------
  const samplesOf = (name: string): readonly number[] =>
    peers.find((p) => p.name === name)?.samples ?? []
  const med = (name: string): number => median(samplesOf(name))
  const round = (n: number): number => Math.round(n * 10) / 10
  const sdkPlain = med('sdk-unwrapped')
  const pct = (n: number): number => round((100 * n) / sdkPlain)
  /** What `name` adds to `base`: the median of their round-by-round differences, with its IQR. */
  const added = (name: string, base: string) => {
    const d = paired(samplesOf(name), samplesOf(base))
    return { median: median(d), p25: quantile(d, 0.25), p75: quantile(d, 0.75) }
  }
  const deltas = {
    canary: added('sdk-canary', 'sdk-unwrapped'),
    twin: added('sdk-unwrapped-twin', 'sdk-unwrapped'),
    noMeta: added('sdk-canary-no-meta', 'sdk-unwrapped'),
    meta: added('sdk-unwrapped-with-meta', 'sdk-unwrapped'),
    wrapper: added('direct-canary', 'direct-unwrapped'),
    interceptor: added('direct-canary-interceptor', 'direct-canary'),
  }
  const record = med('record-outcome')
  const delta = (d: { median: number; p25: number; p75: number }, target?: number) => ({
    added_ns: round(d.median),
    added_pct_of_unwrapped_sdk_call: pct(d.median),
    added_iqr_ns: [round(d.p25), round(d.p75)],
    ...(target === undefined ? {} : { target_ns: target, target_met: d.median <= target }),
  })
  const report = {
    cases: [
      {
        name: 'tool-call-added',
        unwrapped_ns: round(sdkPlain),
        canary_ns: round(med('sdk-canary')),
        ...delta(deltas.canary, TARGET_ADDED_NS),
      },
      { name: 'noise-floor-identical-twin', ...delta(deltas.twin) },
      { name: 'tool-call-added-without-meta', ...delta(deltas.noMeta, TARGET_ADDED_NS) },
      { name: 'sdk-cost-of-meta-field-unwrapped', ...delta(deltas.meta) },
      {
        name: 'wrapper-only-added',
        unwrapped_ns: round(med('direct-unwrapped')),
        canary_ns: round(med('direct-canary')),
        ...delta(deltas.wrapper, TARGET_ADDED_NS),
      },
      { name: 'pass-through-interceptor-added', ...delta(deltas.interceptor) },
      {
        name: 'record-outcome',
        ns: round(record),
        empty_loop_ns: round(med('empty-loop')),
        pct_of_unwrapped_sdk_call: pct(record),
        target_ns: TARGET_RECORD_NS,
        target_met: record <= TARGET_RECORD_NS,
      },
    ],
    samples: Object.fromEntries(
      peers.map((p) => [p.name, { batch: p.size, ns: p.samples.map(round) }]),
    ),
    meta: {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      load_average: loadavg().map(round),
      rounds: options.rounds,
      batch_ms: options.batchMs,
      seed: options.seed,
      estimator: 'median ns/op per peer; added = median of round-by-round differences (IQR beside)',
      seconds: round(seconds),
    },
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`)
    return
  }
  const out = (line: string): void => void process.stdout.write(`${line}\n`)
  const pass = (met: boolean): string => (met ? 'PASS' : 'MISS')
  out(
    `@canarykit/mcp router bench — ${options.rounds} shuffled rounds of ${options.batchMs} ms batches (${report.meta.seconds} s)`,
  )
  out(
    `  median ns per call; "added": median of per-round differences [IQR]; % of the unwrapped SDK call`,
  )
  const row = (label: string, ns: number, extra = ''): void =>
    out(
      `  ${label.padEnd(46)} ${String(round(ns)).padStart(8)} ns ${String(pct(ns)).padStart(6)} %${extra}`,
    )
  const rowDelta = (
    label: string,
    d: { median: number; p25: number; p75: number },
    target?: number,
  ): void =>
    row(
      label,
      d.median,
      `  [${round(d.p25)} … ${round(d.p75)}]` +
        (target === undefined ? '' : `  (≤ ${target} ns: ${pass(d.median <= target)})`),
    )
  row('tool call via SDK, unwrapped', sdkPlain)
  row('tool call via SDK, canaryTool (defaults)', med('sdk-canary'))
  rowDelta('added per call (SDK, defaults)', deltas.canary, TARGET_ADDED_NS)
  rowDelta('  noise floor: an identical unwrapped twin', deltas.twin)
  rowDelta('added per call (SDK, resultMetaKey: false)', deltas.noMeta, TARGET_ADDED_NS)
  rowDelta('extra: unwrapped tool returning the _meta key', deltas.meta)
  rowDelta('added per call (wrapper alone, no SDK)', deltas.wrapper, TARGET_ADDED_NS)
  rowDelta('  plus one pass-through interceptor', deltas.interceptor)
  row(
    'record one outcome',
    record,
    `  (≤ ${TARGET_RECORD_NS} ns: ${pass(record <= TARGET_RECORD_NS)})`,
  )
  out(
    `  (empty loop: ${round(med('empty-loop'))} ns; load average ${report.meta.load_average.join(' ')})`,
  )
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  process.exit(1)
})
