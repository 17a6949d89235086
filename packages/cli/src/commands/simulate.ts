import { resolve } from 'node:path'
import { InvalidArgumentError, Option } from 'commander'
import { describeIssue, isFlagsError } from '@canarykit/core'
import {
  parseScenario,
  simulate,
  type PolicyName,
  type Scenario,
  type SimulationReport,
} from '@canarykit/guard'
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js'
import { readTextFile } from '../flags/read-text-file.js'
import type { CommandIo } from '../io.js'
import type { RegisterCommand } from './command-context.js'

interface SimulateOptions {
  readonly runs: number
  readonly seed: number
  readonly policy: PolicyName
  readonly json?: boolean
}

const MAX_RUNS = 100_000

const HELP_AFTER = `
Runs the scenario's rollout --runs times on a virtual clock, with synthetic traffic drawn from a
seeded generator, and drives the real judge and stage machine (or, with --policy threshold, the
seeds' analyzer: last 300 s only, error rate > 1.5x or p95 > 1.2x baseline, 3 failed checks in a
row roll back). The same scenario, runs, seed and policy always print the same numbers.

A scenario is a JSON object; every field has a default (see docs/guard-method.md):
  { "name": "error-regression", "durationS": 14400, "checkIntervalS": 5,
    "traffic": { "rps": 100, "callsPerSession": 10 },
    "baseline": { "errorRate": 0.01, "successRate": 0.98, "latencyMs": { "p50": 120, "p99": 400 } },
    "canary": { "errorRate": 0.10 },
    "canaryChanges": [ { "atS": 2400, "errorRate": 0.05 } ],
    "plan": { "stages": [ { "percentage": 1, "minDurationS": 600 }, { "percentage": 100 } ] },
    "criteria": {} }

With --json, one object: runs, seed, policy, outcomes {completed, rolledBack, inProgress},
rollbackTimeS {p50, p90, max} | null, completeTimeS {p50, p90} | null, canaryCallsServed
{p50, p90}, maxPercentageReached {"<pct>": runs}, rollbackCriteria, proceedsBelowMinSample.

Exit codes:
  0  the simulation ran
  1  the scenario file is unreadable or invalid
  2  usage error (e.g. --runs is not a positive integer)

Examples:
  $ canarykit simulate packages/guard/scenarios/aa.json --runs 1000 --seed 1
  $ canarykit simulate error-regression.json --runs 200 --policy threshold --json`

export const registerSimulate: RegisterCommand = (program, { io, setExitCode }) => {
  program
    .command('simulate')
    .summary('measure the rollout guard on a simulated scenario')
    .description(
      'Simulate a guarded rollout many times (virtual clock, seeded traffic) and summarise how it ends.',
    )
    .argument('<scenario>', 'scenario file (JSON)')
    .addOption(
      new Option('--runs <n>', `number of runs, 1 to ${MAX_RUNS}`)
        .argParser(positiveInteger)
        .default(100),
    )
    .addOption(new Option('--seed <s>', 'seed of the first run').argParser(integer).default(1))
    .addOption(
      new Option('--policy <name>', 'rollout policy to simulate')
        .choices(['canarykit', 'threshold'])
        .default('canarykit'),
    )
    .option('--json', 'print one JSON object instead of a table')
    .addHelpText('after', HELP_AFTER)
    .action(async (file: string, options: SimulateOptions) => {
      setExitCode(await runSimulate(file, options, io))
    })
}

async function runSimulate(file: string, options: SimulateOptions, io: CommandIo): Promise<number> {
  const scenario = await loadScenario(file, io)
  if (scenario === undefined) return EXIT_FAILED
  const report = simulate(scenario, {
    runs: options.runs,
    seed: options.seed,
    policy: options.policy,
  })
  io.stdout.write(
    options.json === true ? `${JSON.stringify(report)}\n` : formatReport(report, file),
  )
  return EXIT_OK
}

async function loadScenario(file: string, io: CommandIo): Promise<Scenario | undefined> {
  const read = await readTextFile(resolve(io.cwd, file))
  if ('error' in read) {
    io.stderr.write(`${file}: ${read.error}\n`)
    return undefined
  }
  let json: unknown
  try {
    json = JSON.parse(read.text)
  } catch (error) {
    io.stderr.write(`${file}: invalid JSON: ${(error as Error).message}\n`)
    return undefined
  }
  try {
    return parseScenario(json, file)
  } catch (error) {
    if (!isFlagsError(error)) throw error
    const lines = error.issues.map((issue) => `  error: ${describeIssue(issue)}`)
    io.stderr.write(`${file}: invalid scenario\n${lines.join('\n')}\n`)
    return undefined
  }
}

/** A short aligned table. */
export function formatReport(report: SimulationReport, file: string): string {
  const { outcomes, runs } = report
  const share = (n: number): string => `${((100 * n) / runs).toFixed(1)} %`
  const policy =
    report.thresholdFailedChecks === undefined
      ? report.policy
      : `${report.policy} (${report.thresholdFailedChecks} failed checks roll back)`
  const times = (t: { p50: number; p90: number; max?: number } | null): string[] =>
    t === null
      ? ['-', '-', '-']
      : [String(t.p50), String(t.p90), t.max === undefined ? '' : String(t.max)]
  const rows: string[][] = [
    ['outcome', 'runs', 'share'],
    ['completed', String(outcomes.completed), share(outcomes.completed)],
    ['rolled back', String(outcomes.rolledBack), share(outcomes.rolledBack)],
    ['in progress', String(outcomes.inProgress), share(outcomes.inProgress)],
    [],
    ['', 'p50', 'p90', 'max'],
    ['rollback time (s)', ...times(report.rollbackTimeS)],
    ['complete time (s)', ...times(report.completeTimeS)],
    ['canary calls', String(report.canaryCallsServed.p50), String(report.canaryCallsServed.p90)],
  ]
  const reached = Object.entries(report.maxPercentageReached)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([pct, n]) => `${pct} %: ${n}`)
  const criteria = Object.entries(report.rollbackCriteria).map(([c, n]) => `${c}: ${n}`)
  return [
    `${file}: scenario "${report.scenario}", ${runs} runs, seed ${report.seed}, policy ${policy}`,
    '',
    ...align(rows),
    '',
    `highest share reached  ${reached.join(', ')}`,
    ...(criteria.length === 0 ? [] : [`rolled back on         ${criteria.join(', ')}`]),
    ...(report.proceedsBelowMinSample === 0
      ? []
      : [`stage moves below the minimum sample: ${report.proceedsBelowMinSample}`]),
    '',
  ].join('\n')
}

/** Left column left-aligned, the others right-aligned; empty rows stay empty. */
function align(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  )
}

function positiveInteger(text: string): number {
  const value = integer(text)
  if (value < 1 || value > MAX_RUNS) {
    throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_RUNS}`)
  }
  return value
}

function integer(text: string): number {
  const value = Number(text)
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError('must be a whole number')
  }
  return value
}
