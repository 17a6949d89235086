import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FLAGS, runCli, tempDir, writeFiles } from '../testing/harness.js'
import { rolloutsDocument } from '../testing/rollout-fixtures.js'

let dir: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(() => cleanup())

describe('canarykit status', () => {
  it('reports every rollout: stage, share, phase, last decision and what it waits for', async () => {
    await writeFiles(dir, { 'flags.json': rolloutsDocument(Date.now()) })
    const { code, stdout, stderr } = await runCli(['status', 'flags.json'], dir)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('flags.json: 3 rollouts')
    expect(lines[1]).toBe('new-search  running  stage 2 of 4  10 % canary  (stable → canary)')
    expect(lines[2]).toMatch(
      /^ {2}last: proceed \(guard, \d{4}-.*Z\): proceeding to 10 %: 10m0s dwell passed/,
    )
    // 1800 s dwell, started 60 s ago (a little more by the time the command reads the clock).
    expect(lines[3]).toMatch(/^ {2}waiting for: dwell: 17[34]\d s left at 10 %$/)
    expect(lines[4]).toBe('checkout  paused  stage 1 of 4  1 % canary  (stable → canary)')
    expect(lines[5]).toMatch(/^ {2}last: hold \(alice, .*\): paused by alice: INC-42$/)
    expect(lines[6]).toBe('  waiting for: resume (paused by alice: INC-42)')
    expect(lines[7]).toBe('legacy  rolled-back  stage 3 of 4  0 % canary  (stable → canary)')
    expect(lines[8]).toMatch(/^ {2}last: rollback \(guard, .*\): rolling back: error rate/)
    expect(lines[9]).toBe('  waiting for: nothing: rolled back (start a new rollout to retry)')
    expect(lines).toHaveLength(10)
  })

  it('prints the same as one JSON object with --json', async () => {
    const now = Date.now()
    await writeFiles(dir, { 'flags.json': rolloutsDocument(now) })
    const { code, stdout } = await runCli(['status', 'flags.json', '--json'], dir)
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as {
      file: string
      ok: boolean
      issues: unknown[]
      rollouts: Record<string, unknown>[]
    }
    expect(report).toMatchObject({ file: 'flags.json', ok: true, issues: [] })
    expect(report.rollouts.map((r) => [r['flagKey'], r['phase'], r['percentage']])).toEqual([
      ['new-search', 'running', 10],
      ['checkout', 'paused', 1],
      ['legacy', 'rolled-back', 0],
    ])
    expect(report.rollouts[0]).toMatchObject({
      baseline: 'stable',
      canary: 'canary',
      stage: 1,
      stages: 4,
      epoch: 0,
      stageStartedAt: new Date(now - 60_000).toISOString(),
      lastDecision: { kind: 'proceed', actor: 'guard', at: new Date(now - 60_000).toISOString() },
      waitingFor: expect.stringMatching(/^dwell: \d+ s left at 10 %$/) as unknown,
    })
    expect(report.rollouts[2]).toMatchObject({
      lastDecision: { kind: 'rollback', criterion: 'error-rate' },
    })
  })

  it("says a running rollout past its dwell waits for the guard's next check", async () => {
    const document = rolloutsDocument(Date.now() - 3_600_000)
    await writeFiles(dir, { 'flags.json': document })
    const { stdout } = await runCli(['status', 'flags.json', '--json'], dir)
    const report = JSON.parse(stdout) as { rollouts: { waitingFor: string }[] }
    expect(report.rollouts[0]?.waitingFor).toMatch(/^the guard's next check at 10 %/)
  })

  it('says so when the file has no rollouts', async () => {
    await writeFiles(dir, { 'flags.json': FLAGS })
    expect(await runCli(['status', 'flags.json'], dir)).toEqual({
      code: 0,
      stdout: 'flags.json: no rollouts\n',
      stderr: '',
    })
  })

  it('shows the readable rollouts and exits 1 when an entry does not read', async () => {
    const document = rolloutsDocument(Date.now())
    const legacy = document.canarykit.rollouts.legacy
    await writeFiles(dir, {
      'flags.json': {
        ...document,
        canarykit: {
          rollouts: { ...document.canarykit.rollouts, legacy: { ...legacy, stage: 9 } },
        },
      },
    })
    const { code, stdout } = await runCli(['status', 'flags.json'], dir)
    expect(code).toBe(1)
    expect(stdout).toMatch(/^flags\.json: 2 rollouts, 1 unreadable rollout entry\n/)
    expect(stdout).toContain('new-search  running')
    expect(stdout).toContain(
      '  error: flag "legacy": /canarykit/rollouts/legacy/stage: must be the index of a stage of the plan\n',
    )
  })

  it('names the file, the flag and the JSON path of an invalid file, and exits 1', async () => {
    const document = rolloutsDocument(Date.now())
    const broken = { ...document.flags.checkout, defaultVariant: 'nope' }
    await writeFiles(dir, {
      'flags.json': { ...document, flags: { ...document.flags, checkout: broken } },
    })
    const { code, stdout, stderr } = await runCli(['status', 'flags.json'], dir)
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^flags\.json: invalid; cannot read its rollouts\n/)
    expect(stderr).toContain('error: flag "checkout": /flags/checkout/defaultVariant: ')
  })

  it('exits 1 for a missing file', async () => {
    const { code, stderr } = await runCli(['status', 'nope.json'], dir)
    expect(code).toBe(1)
    expect(stderr).toBe(
      'nope.json: cannot read the flags file: no such file; cannot read its rollouts\n',
    )
  })
})
