import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, tempDir, writeFiles } from '../testing/harness.js'

let dir: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(() => cleanup())

/** A short scenario: 10 % for 2 minutes, then 100 %; 15 minutes of simulated time. */
const REGRESSION = {
  name: 'regression',
  durationS: 900,
  traffic: { rps: 100, callsPerSession: 10 },
  canary: { errorRate: 0.2 },
  plan: { stages: [{ percentage: 10, minDurationS: 120 }, { percentage: 100 }] },
}

describe('canarykit simulate', () => {
  it('prints one JSON object with the outcomes, deterministic for a seed', async () => {
    await writeFiles(dir, { 'regression.json': REGRESSION })
    const argv = ['simulate', 'regression.json', '--runs', '20', '--seed', '7', '--json']
    const first = await runCli(argv, dir)
    expect(first.code).toBe(0)
    expect(first.stderr).toBe('')
    const report = JSON.parse(first.stdout) as Record<string, unknown>
    expect(report).toMatchObject({
      scenario: 'regression',
      runs: 20,
      seed: 7,
      policy: 'canarykit',
      outcomes: { completed: 0, rolledBack: 20, inProgress: 0 },
      completeTimeS: null,
      maxPercentageReached: { '10': 20 },
      rollbackCriteria: { 'error-rate': 20 },
    })
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(['rollbackTimeS', 'canaryCallsServed', 'proceedsBelowMinSample']),
    )
    expect((await runCli(argv, dir)).stdout).toBe(first.stdout)
    const other = await runCli(
      ['simulate', 'regression.json', '--runs', '20', '--seed', '8', '--json'],
      dir,
    )
    expect(other.stdout).not.toBe(first.stdout)
  })

  it('prints a short table by default', async () => {
    await writeFiles(dir, { 'regression.json': REGRESSION })
    const { code, stdout } = await runCli(['simulate', 'regression.json', '--runs', '10'], dir)
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(
      'regression.json: scenario "regression", 10 runs, seed 1, policy canarykit',
    )
    expect(stdout).toMatch(/^rolled back +10 +100\.0 %$/m)
    expect(stdout).toMatch(/^rollback time \(s\) +\d+ +\d+ +\d+$/m)
    expect(stdout).toMatch(/^highest share reached {2}10 %: 10$/m)
    expect(stdout).toMatch(/^rolled back on {9}error-rate: 10$/m)
  })

  it('runs the threshold policy for comparison', async () => {
    await writeFiles(dir, { 'regression.json': REGRESSION })
    const { code, stdout } = await runCli(
      ['simulate', 'regression.json', '--runs', '5', '--policy', 'threshold', '--json'],
      dir,
    )
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ policy: 'threshold', thresholdFailedChecks: 3 })
  })

  it('lists every problem of an invalid scenario with its JSON path', async () => {
    await writeFiles(dir, {
      'bad.json': { traffic: { rps: -1 }, canary: { errorRate: 3 }, plan: { stages: [] } },
    })
    const { code, stdout, stderr } = await runCli(['simulate', 'bad.json'], dir)
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr.split('\n')).toEqual([
      'bad.json: invalid scenario',
      '  error: /canary/errorRate: must be a rate in [0, 1], got 3',
      '  error: /plan/stages: needs at least one stage',
      '  error: /traffic/rps: must be ≥ 0, got -1',
      '',
    ])
  })

  it('reports unreadable files and invalid JSON', async () => {
    await writeFiles(dir, { 'broken.json': '{ "name": ' })
    const missing = await runCli(['simulate', 'missing.json'], dir)
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'missing.json: cannot read: no such file or directory\n',
    })
    const broken = await runCli(['simulate', 'broken.json'], dir)
    expect(broken.code).toBe(1)
    expect(broken.stderr).toMatch(/^broken\.json: invalid JSON: /)
  })

  it('rejects bad options as usage errors', async () => {
    await writeFiles(dir, { 'regression.json': REGRESSION })
    for (const extra of [
      ['--runs', '0'],
      ['--runs', '1.5'],
      ['--seed', 'x'],
      ['--policy', 'yolo'],
    ]) {
      const { code, stderr } = await runCli(['simulate', 'regression.json', ...extra], dir)
      expect(code, extra.join(' ')).toBe(2)
      expect(stderr).toMatch(/error: option/)
    }
  })

  it('documents the scenario schema in --help', async () => {
    const { code, stdout } = await runCli(['simulate', '--help'], dir)
    expect(code).toBe(0)
    expect(stdout).toMatch(/Usage: canarykit simulate \[options\] <scenario>/)
    expect(stdout).toMatch(/"canaryChanges"/)
    expect(stdout).toMatch(/docs\/guard-method\.md/)
  })
})
