import type { RolloutStatus } from 'canarykit'
import type { Style } from './live-view.js'
import type { Build } from './search-builds.js'
import type { VariantTotals } from './tally.js'
import type { TrafficStats } from './traffic.js'

/** One variant's numbers: the current stage's evidence, and totals over the rollout. */
export interface VariantRow {
  readonly stage: { sessions: number; calls: number; errors: number; p99Ms: number | undefined }
  readonly total: VariantTotals
}

/** What the live area shows about the rollout in progress. */
export interface RolloutFrame {
  readonly index: number
  readonly count: number
  readonly flagKey: string
  readonly stable: Build
  readonly canary: Build
  readonly elapsedS: number
  readonly stages: readonly number[]
  readonly status: RolloutStatus | undefined
  readonly rows: { readonly stable: VariantRow; readonly canary: VariantRow }
  readonly traffic: TrafficStats
  readonly sessionsPerS: number
  readonly concurrency: number
  /** p99 of this process's event-loop delay: part of every latency, for both variants alike. */
  readonly loopDelayP99Ms: number
}

/** `+12.3s`: time since the demo started. */
export function stamp(seconds: number): string {
  return `+${seconds.toFixed(1)}s`.padStart(7)
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((part / whole) * 100).toFixed(2)} %`
}

export function millis(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '–' : `${ms.toFixed(1)} ms`
}

/** `1 % ✓ → 10 % ✓ → [50 %] → 100 %` */
export function stagePath(stages: readonly number[], status: RolloutStatus | undefined, s: Style) {
  const current = status?.stage ?? 0
  const phase = status?.phase ?? 'running'
  return stages
    .map((pct, i) => {
      const label = `${pct} %`
      if (phase === 'completed') return s.green(`${label} ✓`)
      if (phase === 'rolled-back' && i === current) return s.red(`${label} ✗`)
      if (i < current) return s.green(`${label} ✓`)
      if (i === current && phase !== 'rolled-back') return s.bold(s.cyan(`[${label}]`))
      return s.dim(label)
    })
    .join(' → ')
}

/** The live area: the rollout, its stage, the per-variant table, the latest judgement, traffic. */
export function frameLines(f: RolloutFrame, s: Style): string[] {
  const status = f.status
  const phase = status?.phase ?? 'starting'
  const phaseText =
    phase === 'completed' ? s.green(phase) : phase === 'rolled-back' ? s.red(phase) : phase
  const row = (name: string, build: Build, r: VariantRow): string =>
    `  ${`${name} ${build.name}`.padEnd(10)}` +
    `${String(r.stage.sessions).padStart(9)}${String(r.stage.calls).padStart(9)}` +
    `${percent(r.stage.errors, r.stage.calls).padStart(12)}${millis(r.stage.p99Ms).padStart(11)}` +
    `${String(r.total.sessions).padStart(12)}${String(r.total.calls).padStart(9)}` +
    `${percent(r.total.errors, r.total.calls).padStart(12)}`
  const judgement = status?.lastDecision?.reason ?? status?.waitingFor ?? 'starting'
  return [
    s.dim('─'.repeat(96)),
    `${s.bold(`rollout ${f.index} of ${f.count}`)}  ${s.bold(f.flagKey)}  stable = ${f.stable.name}, canary = ${f.canary.name} (${f.canary.summary})`,
    `  stages  ${stagePath(f.stages, status, s)}   ${phaseText}   ${s.dim(`${f.elapsedS.toFixed(1)} s`)}`,
    s.dim(
      `${''.padEnd(12)}${'─ this stage: what the guard judges ─'.padEnd(41)}${'─ whole rollout ─'}`,
    ),
    s.dim(
      `  ${'variant'.padEnd(10)}${'sessions'.padStart(9)}${'calls'.padStart(9)}` +
        `${'error rate'.padStart(12)}${'p99'.padStart(11)}` +
        `${'sessions'.padStart(12)}${'calls'.padStart(9)}${'error rate'.padStart(12)}`,
    ),
    row('stable', f.stable, f.rows.stable),
    row('canary', f.canary, f.rows.canary),
    `  ${s.bold('guard')}   ${judgement}`,
    s.dim(
      `  traffic ${f.concurrency} MCP client sessions at a time · ${f.traffic.sessions} sessions · ${f.traffic.calls} calls · ${f.sessionsPerS.toFixed(0)} sessions/s · event-loop delay p99 ${millis(f.loopDelayP99Ms)}`,
    ),
  ]
}

/** One plain progress line: stage, both variants, the latest judgement. */
export function progressLine(f: RolloutFrame, at: number): string {
  const pct = f.status?.percentage ?? f.stages[0] ?? 0
  const v = (name: string, r: VariantRow): string =>
    `${name} ${r.stage.sessions} sess ${r.stage.calls} calls ${percent(r.stage.errors, r.stage.calls)} err p99 ${millis(r.stage.p99Ms)}`
  const judgement = f.status?.lastDecision?.reason ?? f.status?.waitingFor ?? 'starting'
  return `${stamp(at)}  ${f.flagKey} ${pct} % | ${v('stable', f.rows.stable)} | ${v('canary', f.rows.canary)} | loop p99 ${millis(f.loopDelayP99Ms)} | ${judgement}`
}
