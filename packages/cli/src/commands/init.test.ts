import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createEngine, type EvaluationContext } from '@canarykit/core'
import { readRollouts, updateRollout } from '@canarykit/guard'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FLAGS, runCli, tempDir, writeFiles } from '../testing/harness.js'
import { servedCounts } from '../testing/rollout-fixtures.js'

let dir: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(() => cleanup())

const text = (name = 'flags.json') => readFile(join(dir, name), 'utf8')
const INIT = ['init', '--flag', 'new-search', '--baseline', 'stable=v1', '--canary', 'canary=v2']
const COHORTS = [
  ['--tier', 'enterprise,pro'],
  ['--region', 'eu-west-1'],
  ['--beta'],
  ['--internal-domain', 'example.com'],
  ['--internal-id', 'u1,u2'],
].flat()

/** Each cohort gets the canary, whatever its bucket; others follow the split. */
function expectCohortsToCanary(document: string): void {
  const engine = createEngine()
  engine.load(document)
  const cohorts: EvaluationContext[] = [
    { tier: 'pro' },
    { tier: 'enterprise' },
    { region: 'eu-west-1' },
    { beta: true },
    { email: 'dev@example.com' },
    { userId: 'u2' },
  ]
  for (let i = 0; i < 300; i++) {
    for (const cohort of cohorts) {
      const r = engine.evaluate('new-search', 'none', { targetingKey: `s-${i}`, ...cohort })
      expect(r).toMatchObject({ value: 'v2', variant: 'canary', reason: 'TARGETING_MATCH' })
    }
    // Near misses stay on the split (0 % here): the baseline.
    for (const other of [{ tier: 'free' }, { beta: 'true' }, { email: 'x@example.com.evil' }]) {
      const r = engine.evaluate('new-search', 'none', { targetingKey: `s-${i}`, ...other })
      expect(r.variant).toBe('stable')
    }
  }
}

describe('canarykit init', () => {
  it('prints a valid flagd document whose cohorts get the canary', async () => {
    const { code, stdout, stderr } = await runCli([...INIT, ...COHORTS], dir)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const document = JSON.parse(stdout) as { flags: Record<string, unknown> }
    expect(document.flags['new-search']).toMatchObject({
      state: 'ENABLED',
      variants: { stable: 'v1', canary: 'v2' },
      defaultVariant: 'stable',
    })
    expectCohortsToCanary(stdout)
  })

  it('creates a missing file that validates and splits by the percentage', async () => {
    const argv = [...INIT, '--beta', '--percentage', '20', '--file', 'flags.json']
    const { code, stdout } = await runCli(argv, dir)
    expect(code).toBe(0)
    expect(stdout).toBe(
      'flags.json: created with flag "new-search" (baseline "stable"; canary "canary" for beta opt-ins, 20 % of the rest)\n',
    )
    expect(await runCli(['validate', 'flags.json'], dir)).toMatchObject({ code: 0 })
    const counts = await servedCounts(dir, 'flags.json', 'new-search', 5000)
    expect(counts['canary']).toBeGreaterThan(900)
    expect(counts['canary']).toBeLessThan(1100)
    expect(counts['canary']! + counts['stable']!).toBe(5000)
    expect(await servedCounts(dir, 'flags.json', 'new-search', 100, { beta: true })).toEqual({
      canary: 100,
    })
  })

  it('adds the flag to an existing file, leaving the other flags as they were', async () => {
    const original = `{
  "flags": {
    "other": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}
  },
  "metadata": { "team": "search" }
}
`
    await writeFiles(dir, { 'flags.json': original })
    const { code, stdout } = await runCli([...INIT, ...COHORTS, '--file', 'flags.json'], dir)
    expect(code).toBe(0)
    expect(stdout).toMatch(/^flags\.json: added flag "new-search" \(.*internal users, beta opt-ins/)
    const after = await text()
    expect(after.startsWith(original.slice(0, original.indexOf('\n  },')))).toBe(true)
    expect(after.endsWith('  },\n  "metadata": { "team": "search" }\n}\n')).toBe(true)
    expect(await runCli(['validate', 'flags.json'], dir)).toMatchObject({ code: 0 })
    expectCohortsToCanary(after)
    const engine = createEngine()
    engine.load(after)
    expect(engine.evaluate('other', true).value).toBe(false)
  })

  it('scaffolds a flag the guard can drive stage by stage', async () => {
    await runCli([...INIT, '--beta', '--file', 'flags.json'], dir)
    const file = join(dir, 'flags.json')
    const at = Date.parse('2025-05-01T03:00:00Z')
    await updateRollout(file, 'new-search', () => ({
      flagKey: 'new-search',
      baseline: 'stable',
      canary: 'canary',
      plan: { stages: [{ percentage: 30 }, { percentage: 100 }] },
      criteria: {},
      phase: 'running',
      stage: 0,
      stageStartedAt: at,
      epoch: 0,
    }))
    expect((await readRollouts(file)).rollouts).toHaveLength(1)
    const counts = await servedCounts(dir, 'flags.json', 'new-search', 5000)
    expect(counts['canary']).toBeGreaterThan(1350)
    expect(counts['canary']).toBeLessThan(1650)
    expect(await servedCounts(dir, 'flags.json', 'new-search', 100, { beta: true })).toEqual({
      canary: 100,
    })
  })

  it('refuses to overwrite an existing flag', async () => {
    await writeFiles(dir, { 'flags.json': FLAGS })
    const before = await text()
    const argv = ['init', '--flag', 'color', '--baseline', 'a=1', '--canary', 'b=2']
    const { code, stderr } = await runCli([...argv, '--file', 'flags.json'], dir)
    expect(code).toBe(1)
    expect(stderr).toBe('flags.json: flag "color" already exists; nothing was written\n')
    expect(await text()).toBe(before)
  })

  it('refuses to write into an invalid file, naming the flag and path', async () => {
    const broken = { flags: { ...FLAGS.flags, limit: { ...FLAGS.flags.limit, state: 'OFF' } } }
    await writeFiles(dir, { 'flags.json': broken })
    const before = await text()
    const { code, stderr } = await runCli([...INIT, '--file', 'flags.json'], dir)
    expect(code).toBe(1)
    expect(stderr).toMatch(
      /^flags\.json: invalid; nothing was written\n {2}error: flag "limit": \/flags\/limit\/state: /,
    )
    expect(await text()).toBe(before)
  })

  it('refuses variants of different types (exit 1, nothing written)', async () => {
    const argv = ['init', '--flag', 'x', '--baseline', 'a=1', '--canary', 'b=true']
    const { code, stderr } = await runCli([...argv, '--file', 'flags.json'], dir)
    expect(code).toBe(1)
    expect(stderr).toContain('error: flag "x": /flags/x/variants: all variants of a flag')
    await expect(text()).rejects.toThrow(/ENOENT/)
  })

  it.each([
    ['the same variant twice', ['--baseline', 'a=1', '--canary', 'a=2'], 'must name different'],
    ['a malformed variant', ['--baseline', 'stable', '--canary', 'b=2'], 'expected NAME=VALUE'],
    ['a null variant value', ['--baseline', 'a=null', '--canary', 'b=2'], 'must be a string'],
    [
      'a percentage above 100',
      ['--baseline', 'a=1', '--canary', 'b=2', '--percentage', '101'],
      'from 0 to 100',
    ],
    ['a missing --canary', ['--baseline', 'a=1'], "'--canary <name=value>' not specified"],
  ])('is a usage error with %s', async (_name, options, message) => {
    const { code, stdout, stderr } = await runCli(['init', '--flag', 'x', ...options], dir)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain(message)
  })
})
