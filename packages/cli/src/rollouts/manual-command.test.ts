import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createEngine } from '@canarykit/core'
import type { AuditRecord } from '@canarykit/guard'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, tempDir, writeFiles } from '../testing/harness.js'
import { readJson, rolloutsDocument, servedCounts } from '../testing/rollout-fixtures.js'

let dir: string
let cleanup: () => Promise<void>
let now: number

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
  now = Date.now()
  await writeFiles(dir, { 'flags.json': rolloutsDocument(now) })
})
afterEach(() => cleanup())

const text = (name = 'flags.json') => readFile(join(dir, name), 'utf8')
const rollout = async (flagKey: string) =>
  (await readJson(dir, 'flags.json')).canarykit?.rollouts?.[flagKey] ?? {}
const who = ['--actor', 'alice', '--reason', 'dashboards look fine']

async function auditLines(name: string): Promise<AuditRecord[]> {
  const lines = (await text(name)).trimEnd().split('\n')
  return lines.map((line) => JSON.parse(line) as AuditRecord)
}

describe('canarykit promote', () => {
  it('moves to the next stage, rewrites the split and records who and why', async () => {
    const argv = ['promote', 'flags.json', '--flag', 'new-search', ...who, '--audit', 'a.jsonl']
    const { code, stdout, stderr } = await runCli(argv, dir)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toBe(
      [
        'flags.json: new-search: promoted to 50 % by alice: dashboards look fine',
        '  now: running, stage 3 of 4, 50 % canary',
        '  audit: appended to a.jsonl',
        '',
      ].join('\n'),
    )
    const record = await rollout('new-search')
    expect(record).toMatchObject({
      phase: 'running',
      stage: 2,
      epoch: 0,
      lastDecision: {
        kind: 'proceed',
        reason: 'promoted to 50 % by alice: dashboards look fine',
        criterion: 'manual',
        actor: 'alice',
      },
    })
    expect(Date.parse(record['stageStartedAt'] as string)).toBeGreaterThanOrEqual(now)
    // The flag serves the new share; the beta cohort still gets the canary.
    const counts = await servedCounts(dir, 'flags.json', 'new-search', 4000)
    expect(counts['canary']).toBeGreaterThan(1800)
    expect(counts['canary']).toBeLessThan(2200)
    expect(await servedCounts(dir, 'flags.json', 'new-search', 200, { beta: true })).toEqual({
      canary: 200,
    })
    const [line, ...more] = await auditLines('a.jsonl')
    expect(more).toEqual([])
    expect(line).toMatchObject({
      flagKey: 'new-search',
      action: 'proceed',
      kind: 'proceed',
      criterion: 'manual',
      actor: 'alice',
      phase: 'running',
      stage: 2,
      percentage: 50,
      epoch: 0,
      from: { stage: 1, percentage: 10, phase: 'running' },
      persisted: true,
    })
  })

  it('goes straight to the last stage with --full, completing the rollout', async () => {
    const argv = ['promote', 'flags.json', '--flag', 'new-search', '--full', ...who]
    const { code, stdout } = await runCli(argv, dir)
    expect(code).toBe(0)
    expect(stdout).toContain('new-search: completed to 100 % by alice')
    expect(await rollout('new-search')).toMatchObject({
      phase: 'completed',
      stage: 3,
      lastDecision: { kind: 'complete' },
    })
    expect(await servedCounts(dir, 'flags.json', 'new-search', 1000)).toEqual({ canary: 1000 })
  })

  it('leaves only the changed values: other flags keep their bytes', async () => {
    const before = await text()
    const plain = /"plain": \{[^}]*\}/.exec(before)?.[0]
    await runCli(['promote', 'flags.json', '--flag', 'checkout', ...who], dir)
    const after = await text()
    expect(plain).toBeDefined()
    expect(after).toContain(plain)
    expect(await rollout('checkout')).toMatchObject({ phase: 'paused', stage: 1 })
  })

  it('refuses to promote a rolled-back rollout and writes nothing', async () => {
    const before = await text()
    const argv = ['promote', 'flags.json', '--flag', 'legacy', ...who]
    const { code, stdout, stderr } = await runCli(argv, dir)
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toBe(
      'flags.json: flag "legacy" is already rolled back; start a new rollout instead; nothing was written\n',
    )
    expect(await text()).toBe(before)
  })

  it('refuses an unknown flag, and a flag without a rollout', async () => {
    const before = await text()
    const unknown = await runCli(['promote', 'flags.json', '--flag', 'nope'], dir)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe('flags.json: there is no flag "nope"; nothing was written\n')
    const plain = await runCli(['promote', 'flags.json', '--flag', 'plain'], dir)
    expect(plain.code).toBe(1)
    expect(plain.stderr).toContain('flag "plain" has no rollout')
    expect(await text()).toBe(before)
  })

  it('refuses a file that is invalid on disk: exit 1, file, flag and path named, no write', async () => {
    const document = rolloutsDocument(now)
    const broken = { ...document.flags.checkout, state: 'ON' }
    await writeFiles(dir, {
      'flags.json': { ...document, flags: { ...document.flags, checkout: broken } },
    })
    const before = await text()
    const { code, stdout, stderr } = await runCli(
      ['promote', 'flags.json', '--flag', 'new-search', ...who],
      dir,
    )
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toMatch(
      /^flags\.json: invalid; nothing was written\n {2}error: flag "checkout": \/flags\/checkout\/state: /,
    )
    expect(await text()).toBe(before)
  })

  it('refuses an edit the guard cannot make, naming the flag and path', async () => {
    const document = rolloutsDocument(now)
    const odd = {
      ...document.flags['new-search'],
      variants: { stable: 'v1', canary: 'v2', other: 'v3' },
      targeting: {
        fractional: [
          ['canary', 10],
          ['other', 10],
          ['stable', 80],
        ],
      },
    }
    await writeFiles(dir, {
      'flags.json': { ...document, flags: { ...document.flags, 'new-search': odd } },
    })
    const before = await text()
    const { code, stderr } = await runCli(['promote', 'flags.json', '--flag', 'new-search'], dir)
    expect(code).toBe(1)
    expect(stderr).toBe(
      'flags.json: the edit is refused; nothing was written\n' +
        '  error: flag "new-search": /flags/new-search/targeting: its fractional split has a bucket other than "stable" and "canary"\n',
    )
    expect(await text()).toBe(before)
  })

  it('is a usage error without --flag', async () => {
    const { code, stderr } = await runCli(['promote', 'flags.json'], dir)
    expect(code).toBe(2)
    expect(stderr).toContain("required option '--flag <key>' not specified")
  })
})

describe('canarykit rollback', () => {
  it('leaves a file that serves only the baseline, through core', async () => {
    await writeFiles(dir, {
      'flags.json': {
        ...rolloutsDocument(now),
        canarykit: {
          ...rolloutsDocument(now).canarykit,
          audit: { file: 'audit/rollouts.jsonl' },
        },
      },
    })
    const argv = ['rollback', 'flags.json', '--flag', 'new-search', '--actor', 'bob']
    const { code, stdout, stderr } = await runCli([...argv, '--reason', 'INC-7'], dir)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toBe(
      [
        'flags.json: new-search: rolled back by bob: INC-7',
        '  now: rolled-back, stage 2 of 4, 0 % canary',
        '  serving: only "stable" (targeting removed; canarykit.pinEpoch 1 drops sticky sessions)',
        '  audit: appended to audit/rollouts.jsonl',
        '',
      ].join('\n'),
    )
    const engine = createEngine()
    engine.load(await text())
    for (let i = 0; i < 3000; i++) {
      for (const context of [{}, { beta: true }, { beta: false, tier: 'pro' }]) {
        const resolution = engine.resolveVariant('new-search', {
          targetingKey: `session-${i}`,
          ...context,
        })
        expect(resolution.variant).toBe('stable')
      }
    }
    const file = await readJson(dir, 'flags.json')
    expect(file.flags['new-search']?.['targeting']).toBeUndefined()
    expect(file.flags['new-search']?.['metadata']).toEqual({ 'canarykit.pinEpoch': 1 })
    expect(await rollout('new-search')).toMatchObject({
      phase: 'rolled-back',
      epoch: 1,
      lastDecision: { kind: 'rollback', actor: 'bob', reason: 'rolled back by bob: INC-7' },
      originalTargeting: { if: [{ '===': [{ var: 'beta' }, true] }, 'canary', {}] },
    })
    const [line] = await auditLines('audit/rollouts.jsonl')
    expect(line).toMatchObject({ action: 'rollback', actor: 'bob', percentage: 0, epoch: 1 })
  })

  it('--audit wins over the file named in the flags file', async () => {
    const argv = ['rollback', 'flags.json', '--flag', 'checkout', '--audit', 'mine.jsonl']
    expect((await runCli(argv, dir)).code).toBe(0)
    expect(await auditLines('mine.jsonl')).toHaveLength(1)
  })

  it('exits 1 when the audit line cannot be appended, saying the rollback was written', async () => {
    await mkdir(join(dir, 'taken'))
    const argv = ['rollback', 'flags.json', '--flag', 'checkout', '--audit', 'taken']
    const { code, stdout, stderr } = await runCli(argv, dir)
    expect(code).toBe(1)
    expect(stdout).toContain('flags.json: checkout: rolled back by')
    expect(stderr).toMatch(
      /^flags\.json: the rollback was written, but the audit line could not be appended to taken: /,
    )
    expect(await rollout('checkout')).toMatchObject({ phase: 'rolled-back', epoch: 3 })
  })

  it('refuses to roll back twice', async () => {
    const { code, stderr } = await runCli(['rollback', 'flags.json', '--flag', 'legacy'], dir)
    expect(code).toBe(1)
    expect(stderr).toContain('already rolled back')
  })
})

describe('canarykit pause and resume', () => {
  it('pauses a running rollout (share kept) and resumes it with a fresh dwell', async () => {
    const paused = await runCli(['pause', 'flags.json', '--flag', 'new-search', ...who], dir)
    expect(paused.code).toBe(0)
    expect(paused.stdout).toContain('new-search: paused by alice: dashboards look fine')
    expect(await rollout('new-search')).toMatchObject({
      phase: 'paused',
      stage: 1,
      lastDecision: { kind: 'hold', actor: 'alice' },
    })
    const counts = await servedCounts(dir, 'flags.json', 'new-search', 4000)
    expect(counts['canary']).toBeGreaterThan(300)
    expect(counts['canary']).toBeLessThan(500)

    const again = await runCli(['pause', 'flags.json', '--flag', 'new-search'], dir)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('cannot pause the rollout of "new-search": it is paused')

    const resumed = await runCli(['resume', 'flags.json', '--flag', 'new-search', ...who], dir)
    expect(resumed.code).toBe(0)
    const record = await rollout('new-search')
    expect(record).toMatchObject({ phase: 'running', stage: 1, lastDecision: { kind: 'continue' } })
    expect(Date.parse(record['stageStartedAt'] as string)).toBeGreaterThanOrEqual(now)
  })

  it('refuses to resume a running rollout', async () => {
    const { code, stderr } = await runCli(['resume', 'flags.json', '--flag', 'new-search'], dir)
    expect(code).toBe(1)
    expect(stderr).toContain('cannot resume the rollout of "new-search": it is running')
  })
})
