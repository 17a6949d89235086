/*
 * The guard's quality benchmark: every shipped scenario × both policies at 1,000 runs (the
 * threshold policy also tuned to ~1 % A/A false rollbacks, for a comparison at equal false
 * alarms), the quality targets checked against the results, and a speed probe (1,000
 * runs of 4 hours at 100 rps, 50/50, judged every 5 s). Jobs run on two worker threads.
 *
 *   pnpm bench            # table
 *   pnpm bench -- --json  # one JSON object
 *   pnpm bench -- --runs 200
 */
import { readdirSync, readFileSync } from 'node:fs'
import { Worker, isMainThread, parentPort } from 'node:worker_threads'
import { parseScenario, simulate, type Scenario, type SimulationReport } from '../src/index.js'

interface Job {
  readonly label: string
  readonly scenario: Scenario
  readonly policy: 'canarykit' | 'threshold'
  readonly thresholdFailedChecks?: number
  readonly runs: number
  readonly seed: number
}

interface Done {
  readonly label: string
  readonly report: SimulationReport
  readonly seconds: number
}

/** The threshold policy reaches ≤ 1 % A/A false rollbacks with about this many failed checks. */
const TUNED_FAILED_CHECKS = 100
const SEED = 1

if (!isMainThread) {
  parentPort?.on('message', (job: Job | null) => {
    if (job === null) return parentPort?.close()
    const started = performance.now()
    const report = simulate(job.scenario, {
      runs: job.runs,
      seed: job.seed,
      policy: job.policy,
      ...(job.thresholdFailedChecks === undefined
        ? {}
        : { thresholdFailedChecks: job.thresholdFailedChecks }),
    })
    parentPort?.postMessage({
      label: job.label,
      report,
      seconds: (performance.now() - started) / 1000,
    } satisfies Done)
  })
} else {
  await main()
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const json = args.includes('--json')
  const runsAt = args.indexOf('--runs')
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 1000
  const folder = new URL('../scenarios/', import.meta.url)
  const scenarios = readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseScenario(JSON.parse(readFileSync(new URL(f, folder), 'utf8')), f))
  const byName = new Map(scenarios.map((s) => [s.name, s]))

  const jobs: Job[] = []
  for (const scenario of scenarios) {
    for (const policy of ['canarykit', 'threshold'] as const) {
      jobs.push({ label: `${scenario.name}/${policy}`, scenario, policy, runs, seed: SEED })
    }
  }
  for (const name of ['aa', 'error-regression', 'latency-tail-regression', 'late-regression']) {
    const scenario = byName.get(name)
    if (scenario === undefined) continue
    const label = `${name}/threshold-${TUNED_FAILED_CHECKS}`
    jobs.push({
      label,
      scenario,
      policy: 'threshold',
      thresholdFailedChecks: TUNED_FAILED_CHECKS,
      runs,
      seed: SEED,
    })
  }

  const started = performance.now()
  const done = await runOnWorkers(longestFirst(jobs), 2)
  const totalSeconds = (performance.now() - started) / 1000
  const speed = await speedProbe(byName.get('aa'), runs)
  const result = (label: string): SimulationReport | undefined => done.get(label)?.report
  const targets = [...qualityTargets(result), ...(speed === undefined ? [] : [speed])]
  if (json) {
    const reports = Object.fromEntries(
      [...done].map(([label, d]) => [label, { ...d.report, seconds: round(d.seconds) }]),
    )
    process.stdout.write(
      `${JSON.stringify({ runs, seed: SEED, totalSeconds: round(totalSeconds), reports, targets })}\n`,
    )
    return
  }
  const lines = [
    `guard bench: ${runs} runs per row, seed ${SEED}, 2 worker threads, ${round(totalSeconds)} s in all`,
    '',
    ...table(
      jobs.map((job) => job.label),
      done,
    ),
    '',
    'quality targets',
    ...targets.map((t) => `  ${t.met ? 'met    ' : 'NOT MET'}  ${t.target}: ${t.measured}`),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

/** Longest jobs first keeps both workers busy to the end (costs from a previous run, relative). */
function longestFirst(jobs: readonly Job[]): Job[] {
  const cost = (job: Job): number =>
    job.scenario.name === 'aa'
      ? 10
      : job.scenario.name === 'late-regression' || job.scenario.name === 'low-traffic'
        ? 5
        : 1
  return [...jobs].sort(
    (a, b) =>
      cost(b) * (b.policy === 'canarykit' ? 2 : 1) - cost(a) * (a.policy === 'canarykit' ? 2 : 1),
  )
}

function runOnWorkers(jobs: readonly Job[], count: number): Promise<Map<string, Done>> {
  const queue = [...jobs]
  const done = new Map<string, Done>()
  return new Promise((resolve, reject) => {
    let open = count
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL('worker.mjs', import.meta.url))
      const next = (): void => worker.postMessage(queue.shift() ?? null)
      worker.on('message', (message: Done) => {
        done.set(message.label, message)
        next()
      })
      worker.on('error', reject)
      worker.on('exit', () => {
        open--
        if (open === 0) resolve(done)
      })
      next()
    }
  })
}

/**
 * The speed target: `runs` runs of a 4-hour, 100 rps scenario in under a minute on two
 * cores. The whole 4 hours at 50 % (every call sampled, every check judged), split over both
 * workers.
 */
async function speedProbe(aa: Scenario | undefined, runs: number): Promise<Target | undefined> {
  if (aa === undefined) return undefined
  const plan = { stages: [{ percentage: 50, minDurationS: 14_400 }, { percentage: 100 }] }
  const scenario: Scenario = { ...aa, name: 'speed-4h-100rps', plan }
  const half = Math.ceil(runs / 2)
  const started = performance.now()
  await runOnWorkers(
    [0, 1].map((i) => ({
      label: `speed/${i}`,
      scenario,
      policy: 'canarykit' as const,
      runs: half,
      seed: SEED + i,
    })),
    2,
  )
  const seconds = (performance.now() - started) / 1000
  return {
    target: `${2 * half} runs of a 4 h, 100 rps scenario (50 % canary, checks every 5 s) in < 60 s on 2 cores`,
    measured: `${round(seconds)} s`,
    met: seconds < 60 * ((2 * half) / 1000),
  }
}

interface Target {
  readonly target: string
  readonly measured: string
  readonly met: boolean
}

function qualityTargets(result: (label: string) => SimulationReport | undefined): Target[] {
  const aa = result('aa/canarykit')
  const aaThreshold = result('aa/threshold')
  const aaTuned = result(`aa/threshold-${TUNED_FAILED_CHECKS}`)
  const errors = result('error-regression/canarykit')
  const errorsThreshold = result('error-regression/threshold')
  const errorsTuned = result(`error-regression/threshold-${TUNED_FAILED_CHECKS}`)
  const tail = result('latency-tail-regression/canarykit')
  const low = result('low-traffic/canarykit')
  const out: Target[] = []
  const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)} %`
  if (aa !== undefined) {
    out.push({
      target: 'A/A false rollbacks ≤ 1 %',
      measured: pct(aa.outcomes.rolledBack, aa.runs),
      met: aa.outcomes.rolledBack <= aa.runs * 0.01,
    })
    out.push({
      target: 'A/A completed ≥ 95 %',
      measured: pct(aa.outcomes.completed, aa.runs),
      met: aa.outcomes.completed >= aa.runs * 0.95,
    })
  }
  if (errors?.rollbackTimeS) {
    const p90 = errors.rollbackTimeS.p90
    out.push({
      target: 'error 1 % → 10 % at 100 rps: rollback p90 ≤ 120 s',
      measured: `${p90} s (p50 ${errors.rollbackTimeS.p50} s)`,
      met: p90 <= 120,
    })
  }
  if (tail !== undefined) {
    const before = (tail.maxPercentageReached['1'] ?? 0) + (tail.maxPercentageReached['10'] ?? 0)
    const rolledBefore = Math.min(before, tail.outcomes.rolledBack)
    out.push({
      target: 'p99 +50 %, median unchanged: rolled back before 50 % in ≥ 95 %',
      measured: pct(rolledBefore, tail.runs),
      met: rolledBefore >= tail.runs * 0.95,
    })
  }
  if (low !== undefined) {
    const promoted = low.runs - (low.maxPercentageReached['1'] ?? 0)
    out.push({
      target: '0.2 rps: never promoted on too little data',
      measured: `${low.proceedsBelowMinSample} stage moves below the minimum sample; ${promoted} runs left 1 %`,
      met: low.proceedsBelowMinSample === 0,
    })
  }
  if (
    aa !== undefined &&
    aaThreshold !== undefined &&
    errors?.rollbackTimeS &&
    errorsThreshold?.rollbackTimeS
  ) {
    out.push({
      target: 'fewer false rollbacks than the threshold policy',
      measured: `${pct(aa.outcomes.rolledBack, aa.runs)} vs ${pct(aaThreshold.outcomes.rolledBack, aaThreshold.runs)}`,
      met: aa.outcomes.rolledBack < aaThreshold.outcomes.rolledBack,
    })
    out.push({
      target: 'faster rollback than the threshold policy (error regression, p90)',
      measured: `${errors.rollbackTimeS.p90} s vs ${errorsThreshold.rollbackTimeS.p90} s (ratio ${(errors.rollbackTimeS.p90 / errorsThreshold.rollbackTimeS.p90).toFixed(2)})`,
      met: errors.rollbackTimeS.p90 < errorsThreshold.rollbackTimeS.p90,
    })
    if (aaTuned !== undefined && errorsTuned?.rollbackTimeS) {
      out.push({
        target: `… at equal false rollbacks (threshold policy with ${TUNED_FAILED_CHECKS} failed checks: ${pct(aaTuned.outcomes.rolledBack, aaTuned.runs)} A/A)`,
        measured: `${errors.rollbackTimeS.p90} s vs ${errorsTuned.rollbackTimeS.p90} s (ratio ${(errors.rollbackTimeS.p90 / errorsTuned.rollbackTimeS.p90).toFixed(2)})`,
        met: errors.rollbackTimeS.p90 < errorsTuned.rollbackTimeS.p90,
      })
    }
  }
  return out
}

function table(labels: readonly string[], done: ReadonlyMap<string, Done>): string[] {
  const rows = [
    [
      'scenario / policy',
      'completed',
      'rolled back',
      'in progress',
      'rollback s p50/p90/max',
      'complete s p50/p90',
      'canary calls p50',
      'highest share',
      'seconds',
    ],
  ]
  for (const label of labels) {
    const d = done.get(label)
    if (d === undefined) continue
    const r = d.report
    const rb =
      r.rollbackTimeS === null
        ? '-'
        : `${r.rollbackTimeS.p50}/${r.rollbackTimeS.p90}/${r.rollbackTimeS.max}`
    const ct = r.completeTimeS === null ? '-' : `${r.completeTimeS.p50}/${r.completeTimeS.p90}`
    const reached = Object.entries(r.maxPercentageReached)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([p, n]) => `${p}%:${n}`)
      .join(' ')
    rows.push([
      label,
      String(r.outcomes.completed),
      String(r.outcomes.rolledBack),
      String(r.outcomes.inProgress),
      rb,
      ct,
      String(r.canaryCallsServed.p50),
      reached,
      round(d.seconds).toString(),
    ])
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? []
  return rows.map((row) =>
    row
      .map((cell, i) =>
        i === 0 || i === 7 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  )
}

function round(x: number): number {
  return Math.round(x * 10) / 10
}
