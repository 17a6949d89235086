/**
 * `pnpm bench`: canarykit core vs `@openfeature/flagd-core` vs hand-written JavaScript floors,
 * same flagd document, same 1,000 rotating contexts, one process. Prints ns/op (median of the
 * interleaved rounds) and whether the targets are met: ≥ 5× faster than flagd-core, ≤ 2× the floor.
 *
 *   pnpm --filter @canarykit/core bench [-- --json] [--rounds N] [--batch-ms B] [--only NAME]
 *
 * With `--json`, stdout is exactly one JSON object `{ "cases": [...] }`; progress goes to stderr.
 */
import { cpus } from 'node:os'
import { FlagdCore } from '@openfeature/flagd-core'
import { createEngine } from '@canarykit/core'
import {
  copyContexts,
  EU_REGIONS,
  FLAG_KEYS,
  FLAGS_JSON,
  makeContexts,
  type BenchContext,
} from './flags.js'
import {
  MURMUR3_VECTORS,
  murmur3SelfTest,
  rolloutFloor,
  semVerFloor,
  staticFloor,
  tierRegionFloor,
  type Floor,
} from './floors.js'
import { compileLoop, measure, median, sinkValue, type Entry } from './harness.js'

const TARGET_VS_FLAGD_CORE = 5
const TARGET_VS_FLOOR = 2
/** A fixed, injected clock: canarykit never reads the system time during the bench. */
const FIXED_NOW_MS = 1_750_000_000_000

interface Options {
  readonly json: boolean
  readonly rounds: number
  readonly batchMs: number
  readonly warmupBatches: number
  readonly only: string | undefined
}

function usage(): string {
  return 'usage: core.bench.ts [--json] [--rounds N (default 9)] [--batch-ms B (default 50)] [--warmup N (default 4)] [--only <case name substring>]'
}

function parseArgs(argv: readonly string[]): Options {
  let json = false
  let rounds = 9
  let batchMs = 50
  let warmupBatches = 4
  let only: string | undefined
  const positive = (flag: string, value: string | undefined): number => {
    const n = Number(value)
    if (value === undefined || !Number.isFinite(n) || n <= 0) {
      throw new Error(`${flag} needs a positive number\n${usage()}`)
    }
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split('=', 2) : [arg]
    const value = (): string | undefined => inline ?? argv[++i]
    switch (flag) {
      case '--':
        break
      case '--json':
        json = true
        break
      case '--rounds':
        rounds = Math.round(positive(flag, value()))
        break
      case '--batch-ms':
        batchMs = positive(flag, value())
        break
      case '--warmup':
        warmupBatches = Math.round(positive(flag, value()))
        break
      case '--only':
        only = value()
        break
      case '--help':
      case '-h':
        process.stderr.write(`${usage()}\n`)
        return process.exit(0)
      default:
        throw new Error(`unknown argument ${JSON.stringify(arg)}\n${usage()}`)
    }
  }
  return { json, rounds, batchMs, warmupBatches, only }
}

interface BenchCase {
  readonly name: string
  readonly title: string
  readonly flagKey: string
  readonly kind: 'boolean' | 'string'
  readonly floor: Floor
}

const CASES: readonly BenchCase[] = [
  {
    name: 'static',
    title: 'static flag',
    flagKey: FLAG_KEYS.static,
    kind: 'boolean',
    floor: staticFloor,
  },
  {
    name: 'tier-region',
    title: 'tier+region rule',
    flagKey: FLAG_KEYS.tierRegion,
    kind: 'string',
    floor: tierRegionFloor,
  },
  {
    name: 'percentage-rollout',
    title: 'percentage rollout',
    flagKey: FLAG_KEYS.rollout,
    kind: 'string',
    floor: rolloutFloor(FLAG_KEYS.rollout),
  },
  {
    name: 'sem-ver',
    title: 'sem_ver rule',
    flagKey: FLAG_KEYS.semVer,
    kind: 'string',
    floor: semVerFloor,
  },
  {
    name: 'ref',
    title: '$ref rule',
    flagKey: FLAG_KEYS.ref,
    kind: 'string',
    floor: tierRegionFloor,
  },
]

const PEERS = ['canarykit', 'flagd-core', 'floor'] as const
type Peer = (typeof PEERS)[number]

interface Result {
  readonly value: unknown
  readonly variant?: string | undefined
  readonly reason?: string | undefined
}

function main(): void {
  const options = parseArgs(process.argv.slice(2))
  const log = (line: string): void => void process.stderr.write(`${line}\n`)
  const out = (line: string): void => void process.stdout.write(`${line}\n`)
  const cases = CASES.filter((c) => options.only === undefined || c.name.includes(options.only))
  if (cases.length === 0) throw new Error(`--only ${options.only ?? ''} matches no case`)

  // --- Engines -----------------------------------------------------------------------------
  const engine = createEngine({ clock: () => FIXED_NOW_MS })
  const loaded = engine.load(FLAGS_JSON, { source: 'bench/flags.ts' })
  if (loaded.brokenFlags.length > 0 || loaded.warnings.length > 0) {
    throw new Error(`canarykit did not load the document cleanly: ${JSON.stringify(loaded)}`)
  }
  const flagdCore = new FlagdCore()
  flagdCore.setConfigurations(FLAGS_JSON)

  const contexts = makeContexts()
  const contextsFor: Record<Peer, BenchContext[]> = {
    canarykit: copyContexts(contexts),
    'flagd-core': copyContexts(contexts),
    floor: copyContexts(contexts),
  }
  const defaultFor = (c: BenchCase): boolean | string => (c.kind === 'boolean' ? false : 'off')
  const onFor = (c: BenchCase): boolean | string => (c.kind === 'boolean' ? true : 'on')

  const resolve = (peer: Peer, c: BenchCase, ctx: BenchContext): Result => {
    if (peer === 'floor') return { value: c.floor(ctx) }
    if (peer === 'canarykit') {
      return c.kind === 'boolean'
        ? engine.evaluate(c.flagKey, false, ctx)
        : engine.evaluate(c.flagKey, 'off', ctx)
    }
    return c.kind === 'boolean'
      ? flagdCore.resolveBooleanEvaluation(c.flagKey, false, ctx)
      : flagdCore.resolveStringEvaluation(c.flagKey, 'off', ctx)
  }

  // --- Correctness first -------------------------------------------------------------------
  const hashFailures = murmur3SelfTest()
  if (hashFailures.length > 0)
    throw new Error(`floor murmur3 self-test: ${hashFailures.join('; ')}`)
  log(`floor murmur3 self-test: ${MURMUR3_VECTORS.length} known answers, every prefix split: ok`)
  const eu: readonly string[] = EU_REGIONS
  const rule1 = contexts.filter((c) => c.tier === 'enterprise' && eu.includes(c.region)).length
  const betas = contexts.filter((c) => c.beta).length
  const both = contexts.filter((c) => c.beta && c.tier === 'enterprise' && eu.includes(c.region))
  const reachRollout = contexts.length - rule1 - betas + both.length
  log(
    `contexts: ${contexts.length} (unique keys: ${new Set(contexts.map((c) => c.targetingKey)).size}); ` +
      `tier+region match ${rule1}, beta ${betas} (${both.length} also tier+region), ` +
      `${reachRollout} reach the percentage rule`,
  )
  const onCount = new Map<string, number>()
  const agreement: Record<string, { floor: number; canarykit: number }> = {}
  const problems: string[] = []
  for (const c of cases) {
    let on = 0
    let floorAgrees = 0
    let canarykitAgrees = 0
    for (let i = 0; i < contexts.length; i++) {
      const reference = resolve('flagd-core', c, contextsFor['flagd-core'][i] as BenchContext)
      const ours = resolve('canarykit', c, contextsFor.canarykit[i] as BenchContext)
      const floor = resolve('floor', c, contextsFor.floor[i] as BenchContext)
      if (reference.value === onFor(c)) on++
      if (floor.value === reference.value) floorAgrees++
      else if (problems.length < 20) {
        problems.push(
          `${c.name} #${i}: floor ${String(floor.value)}, flagd-core ${String(reference.value)}`,
        )
      }
      const same =
        ours.value === reference.value &&
        ours.variant === reference.variant &&
        ours.reason === reference.reason
      if (same) canarykitAgrees++
      else if (problems.length < 20) {
        problems.push(
          `${c.name} #${i} ${JSON.stringify(contexts[i])}: canarykit ${JSON.stringify(ours)}, flagd-core ${JSON.stringify(reference)}`,
        )
      }
    }
    onCount.set(c.name, on)
    agreement[c.name] = { floor: floorAgrees, canarykit: canarykitAgrees }
    log(
      `  ${c.name.padEnd(18)} on ${String(on).padStart(4)}/${contexts.length}; same value, variant and reason as flagd-core: ` +
        `canarykit ${canarykitAgrees}/${contexts.length}; same value: floor ${floorAgrees}/${contexts.length}`,
    )
  }
  if (problems.length > 0) {
    log(`ABORT: results differ, nothing was timed:\n  ${problems.join('\n  ')}`)
    process.exit(1)
  }

  // --- Timing ------------------------------------------------------------------------------
  const entries: Entry[] = []
  for (const c of cases) {
    for (const peer of PEERS) {
      const call =
        peer === 'floor'
          ? 'target(ctx)'
          : peer === 'canarykit'
            ? 'target.evaluate(key, defaultValue, ctx).value'
            : c.kind === 'boolean'
              ? 'target.resolveBooleanEvaluation(key, defaultValue, ctx).value'
              : 'target.resolveStringEvaluation(key, defaultValue, ctx).value'
      const target = peer === 'floor' ? c.floor : peer === 'canarykit' ? engine : flagdCore
      const loop = compileLoop({
        call,
        target,
        key: c.flagKey,
        defaultValue: defaultFor(c),
        onValue: onFor(c),
        contexts: contextsFor[peer],
      })
      entries.push({
        caseName: c.name,
        peer,
        loop,
        onPerRotation: onCount.get(c.name) as number,
        opsPerRotation: contexts.length,
      })
    }
  }
  log(
    `timing: ${entries.length} loops, ${options.rounds} interleaved rounds, ~${options.batchMs} ms batches, ` +
      `≥ ${options.warmupBatches} batches of warm-up each`,
  )
  const started = process.hrtime.bigint()
  const measured = measure(entries, { ...options, log })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9

  // --- Report ------------------------------------------------------------------------------
  const stats = (c: BenchCase, peer: Peer): { median: number; min: number; max: number } => {
    const m = measured.find((x) => x.entry.caseName === c.name && x.entry.peer === peer)
    if (m === undefined) throw new Error(`no measurement for ${c.name}/${peer}`)
    return { median: median(m.samples), min: Math.min(...m.samples), max: Math.max(...m.samples) }
  }
  const round2 = (n: number): number => Math.round(n * 100) / 100
  const rows = cases.map((c) => {
    const ours = stats(c, 'canarykit')
    const reference = stats(c, 'flagd-core')
    const floor = stats(c, 'floor')
    const speedup = reference.median / ours.median
    const xFloor = ours.median / floor.median
    return {
      c,
      ours,
      reference,
      floor,
      speedup,
      xFloor,
      passFlagdCore: speedup >= TARGET_VS_FLAGD_CORE,
      passFloor: xFloor <= TARGET_VS_FLOOR,
    }
  })

  if (options.json) {
    const report = {
      cases: rows.map((r) => ({
        name: r.c.name,
        canarykit_ns: round2(r.ours.median),
        flagd_core_ns: round2(r.reference.median),
        floor_ns: round2(r.floor.median),
        flag_key: r.c.flagKey,
        speedup_vs_flagd_core: round2(r.speedup),
        x_floor: round2(r.xFloor),
        target_vs_flagd_core_met: r.passFlagdCore,
        target_vs_floor_met: r.passFloor,
        canarykit_min_ns: round2(r.ours.min),
        canarykit_max_ns: round2(r.ours.max),
        flagd_core_min_ns: round2(r.reference.min),
        flagd_core_max_ns: round2(r.reference.max),
        floor_min_ns: round2(r.floor.min),
        floor_max_ns: round2(r.floor.max),
        on_count: onCount.get(r.c.name),
        agreement_with_flagd_core: agreement[r.c.name],
      })),
      meta: {
        node: process.version,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        rounds: options.rounds,
        batch_ms: options.batchMs,
        contexts: contexts.length,
        targets: { min_speedup_vs_flagd_core: TARGET_VS_FLAGD_CORE, max_x_floor: TARGET_VS_FLOOR },
        sink: sinkValue(),
      },
    }
    out(JSON.stringify(report))
    return
  }

  const fmt = (n: number): string =>
    n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)
  const header = [
    'case',
    'canarykit ns/op',
    'flagd-core ns/op',
    'floor ns/op',
    'vs flagd-core',
    '× floor',
    `≥${TARGET_VS_FLAGD_CORE}× flagd-core`,
    `≤${TARGET_VS_FLOOR}× floor`,
  ]
  const table = rows.map((r) => [
    r.c.title,
    fmt(r.ours.median),
    fmt(r.reference.median),
    fmt(r.floor.median),
    `${r.speedup.toFixed(1)}×`,
    `${r.xFloor.toFixed(2)}×`,
    r.passFlagdCore ? 'PASS' : 'MISS',
    r.passFloor ? 'PASS' : 'MISS',
  ])
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map((row) => (row[i] as string).length)),
  )
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) =>
        i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number),
      )
      .join('  ')
  out('')
  out(
    `canarykit core vs @openfeature/flagd-core vs hand-written floor — ${process.version}, ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
  )
  out(
    `median ns/op of ${options.rounds} interleaved ~${options.batchMs} ms batches per loop, ` +
      `${contexts.length} rotating contexts (timed in ${seconds.toFixed(1)} s)`,
  )
  out('')
  out(line(header))
  out(line(widths.map((w) => '-'.repeat(w))))
  for (const row of table) out(line(row))
  out('')
  const spread = (s: { min: number; max: number }): string => (s.max / s.min).toFixed(2)
  out(
    'batch spread (max/min) canarykit / flagd-core / floor: ' +
      rows
        .map((r) => `${r.c.name} ${spread(r.ours)}/${spread(r.reference)}/${spread(r.floor)}`)
        .join(', '),
  )
  const met = rows.filter((r) => r.passFlagdCore && r.passFloor).length
  out(`targets met on ${met}/${rows.length} cases (sink ${sinkValue()})`)
}

try {
  main()
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
}
