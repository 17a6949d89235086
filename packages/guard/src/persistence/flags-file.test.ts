import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEngine, isFlagsError } from '@canarykit/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readRollouts, updateRollout } from './flags-file.js'
import type { RolloutRecord } from './rollout-record.js'

const FLAGS = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "other": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"},
    "new-search": {
      "state": "ENABLED",
      "variants": { "stable": "v1", "canary": "v2" },
      "defaultVariant": "stable",
      "targeting": {
        "if": [
          { "===": [{ "var": "beta" }, true] }, "canary",
          { "fractional": [["canary", 0], ["stable", 10000]] }
        ]
      }
    }
  }
}
`

const T0 = Date.parse('2025-05-01T03:00:00Z')

const RECORD: RolloutRecord = {
  flagKey: 'new-search',
  baseline: 'stable',
  canary: 'canary',
  plan: { stages: [{ percentage: 1, minDurationS: 600 }, { percentage: 10 }, { percentage: 100 }] },
  criteria: {},
  phase: 'running',
  stage: 0,
  stageStartedAt: T0,
  epoch: 0,
  lastDecision: {
    kind: 'continue',
    reason: 'started',
    criterion: 'manual',
    at: T0,
    actor: 'alice',
  },
}

let dir: string
let file: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guard-flags-'))
  file = join(dir, 'flags.json')
  await writeFile(file, FLAGS)
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function flag(): Promise<Record<string, unknown>> {
  const doc = JSON.parse(await readFile(file, 'utf8')) as {
    flags: Record<string, Record<string, unknown>>
  }
  return doc.flags['new-search'] ?? {}
}

/** Variant counts over many sessions, with core evaluating the file as it is on disk. */
async function served(sessions = 2000): Promise<Record<string, number>> {
  const engine = createEngine()
  engine.load(await readFile(file, 'utf8'))
  const counts: Record<string, number> = {}
  for (let i = 0; i < sessions; i++) {
    for (const beta of [false, true]) {
      const variant =
        engine.resolveVariant('new-search', { targetingKey: `s-${i}`, beta }).variant ?? 'none'
      counts[variant] = (counts[variant] ?? 0) + 1
    }
  }
  return counts
}

describe('updateRollout', () => {
  it('writes the stage share into the final split, keeps cohorts in front and the rest as written', async () => {
    const update = await updateRollout(file, 'new-search', () => ({ ...RECORD, stage: 1 }))
    expect(update).toMatchObject({ mode: 'splice', attempts: 1 })
    const text = await readFile(file, 'utf8')
    expect(text).toContain(
      '"other": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"},',
    )
    expect(text).toContain('{ "fractional": [["canary", 1000], ["stable", 9000]] }')
    expect(text).toContain('{ "===": [{ "var": "beta" }, true] }, "canary",')
    expect((await flag())['metadata']).toEqual({ 'canarykit.pinEpoch': 0 })
    const { rollouts, issues } = await readRollouts(file)
    expect(issues).toEqual([])
    expect(rollouts).toEqual([{ ...RECORD, stage: 1 }])
    expect(text).toContain('"stageStartedAt": "2025-05-01T03:00:00.000Z"')
  })

  it('a rollback leaves the file with no path to the canary, for any flagd evaluator', async () => {
    await updateRollout(file, 'new-search', () => ({ ...RECORD, stage: 1 }))
    expect((await served())['canary']).toBeGreaterThan(2000) // beta users + ~10 % of the rest
    const { record } = await updateRollout(
      file,
      'new-search',
      (r) => r && { ...r, phase: 'rolled-back', epoch: 1 },
    )
    const rolledBack = await flag()
    expect(rolledBack['targeting']).toBeUndefined()
    expect(rolledBack['defaultVariant']).toBe('stable')
    expect(rolledBack['state']).toBe('ENABLED')
    expect(rolledBack['metadata']).toEqual({ 'canarykit.pinEpoch': 1 })
    // Outside `variants`, nothing in the flag names the canary: no evaluator can reach it.
    expect(JSON.stringify({ ...rolledBack, variants: {} })).not.toContain('"canary"')
    expect(record?.originalTargeting).toMatchObject({
      if: [{ '===': [{ var: 'beta' }, true] }, 'canary', {}],
    })
    expect(await served()).toEqual({ stable: 4000 })
    const { rollouts } = await readRollouts(file)
    expect(rollouts[0]).toMatchObject({
      phase: 'rolled-back',
      epoch: 1,
      originalTargeting: record?.originalTargeting,
    })
  })

  it('restarting after a rollback puts the removed targeting back (cohorts survive)', async () => {
    await updateRollout(file, 'new-search', () => ({ ...RECORD, stage: 1 }))
    await updateRollout(file, 'new-search', (r) => r && { ...r, phase: 'rolled-back', epoch: 1 })
    await updateRollout(
      file,
      'new-search',
      (r) => r && { ...RECORD, epoch: 1, originalTargeting: r.originalTargeting ?? {} },
    )
    const restarted = await flag()
    expect(restarted['targeting']).toEqual({
      if: [
        { '===': [{ var: 'beta' }, true] },
        'canary',
        {
          fractional: [
            ['canary', 100],
            ['stable', 9900],
          ],
        },
      ],
    })
    expect((await readRollouts(file)).rollouts[0]?.originalTargeting).toBeUndefined()
  })

  it('re-applies the edit when a human changes the file during the write, losing neither', async () => {
    let raced = 0
    const update = await updateRollout(file, 'new-search', () => ({ ...RECORD, stage: 1 }), {
      hooks: {
        beforeRename: async () => {
          if (raced++ > 0) return
          const text = await readFile(file, 'utf8')
          await writeFile(file, text.replace('"defaultVariant": "off"', '"defaultVariant": "on"'))
        },
      },
    })
    expect(update.attempts).toBe(2)
    const text = await readFile(file, 'utf8')
    expect(text).toContain('"defaultVariant": "on"') // the human's edit
    expect(text).toContain('["canary", 1000]') // the guard's edit
    expect(await readdir(dir)).toEqual(['flags.json']) // no temporary files left
  })

  it('serialises concurrent writers: twenty racing updates, none lost', async () => {
    // Two writers could both pass the "unchanged?" check; the write lock makes them take turns.
    const doubled = FLAGS.replace(
      '"other": {',
      '"second": {"state": "ENABLED", "variants": {"stable": "a", "canary": "b"}, "defaultVariant": "stable", "targeting": {"fractional": [["canary", 0], ["stable", 10000]]}},\n    "other": {',
    )
    await writeFile(file, doubled)
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const flagKey = i % 2 === 0 ? 'new-search' : 'second'
        return updateRollout(file, flagKey, (current) => ({
          ...RECORD,
          flagKey,
          epoch: (current?.epoch ?? 0) + 1,
        }))
      }),
    )
    const { rollouts } = await readRollouts(file)
    expect(rollouts.map((r) => [r.flagKey, r.epoch]).sort()).toEqual([
      ['new-search', 10],
      ['second', 10],
    ])
    expect((await readdir(dir)).sort()).toEqual(['flags.json'])
  })

  it('gives up with WRITE_CONFLICT when the file keeps changing, and writes nothing', async () => {
    let n = 0
    const error: unknown = await updateRollout(file, 'new-search', () => RECORD, {
      maxAttempts: 3,
      hooks: {
        beforeRename: () =>
          writeFile(file, FLAGS.replace('"off"}', `"off", "metadata": {"n": ${++n}}}`)),
      },
    }).catch((e: unknown) => e)
    expect(isFlagsError(error) && error.code).toBe('WRITE_CONFLICT')
    expect(n).toBe(3)
    expect(await readFile(file, 'utf8')).toContain('"metadata": {"n": 3}')
    expect(await readFile(file, 'utf8')).not.toContain('canarykit')
    expect(await readdir(dir)).toEqual(['flags.json'])
  })

  it('refuses to edit a file that does not load, and leaves it untouched', async () => {
    const broken = FLAGS.replace('"ENABLED", "variants"', '"ENABLED" "variants"')
    await writeFile(file, broken)
    const error: unknown = await updateRollout(file, 'new-search', () => RECORD).catch(
      (e: unknown) => e,
    )
    expect(isFlagsError(error) && error.code).toBe('INVALID_JSON')
    expect(String(error)).toContain(file)
    expect(await readFile(file, 'utf8')).toBe(broken)
  })

  it('refuses to write an edit core would reject', async () => {
    const error: unknown = await updateRollout(file, 'new-search', () => ({
      ...RECORD,
      baseline: 'nope',
      phase: 'rolled-back',
    })).catch((e: unknown) => e)
    expect(isFlagsError(error) && error.code).toBe('INVALID_CONFIG')
    expect(String(error)).toContain('/flags/new-search/defaultVariant')
    expect(await readFile(file, 'utf8')).toBe(FLAGS)
  })

  it('refuses targeting it cannot read as cohorts then a baseline/canary split', async () => {
    await writeFile(
      file,
      FLAGS.replace('"stable", 10000', '"third", 10000').replace(
        '"canary": "v2"',
        '"canary": "v2", "third": "v3"',
      ),
    )
    const error: unknown = await updateRollout(file, 'new-search', () => RECORD).catch(
      (e: unknown) => e,
    )
    expect(isFlagsError(error) && error.code).toBe('INVALID_CONFIG')
    expect(String(error)).toContain('a bucket other than')
  })

  it('keeps the file mode and does nothing when mutate returns undefined', async () => {
    await chmod(file, 0o600)
    await updateRollout(file, 'new-search', () => RECORD)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const before = await readFile(file, 'utf8')
    expect((await updateRollout(file, 'new-search', () => undefined)).mode).toBe('unchanged')
    expect(await readFile(file, 'utf8')).toBe(before)
  })
})

describe('readRollouts', () => {
  it('reports a malformed entry with its path and skips it', async () => {
    await updateRollout(file, 'new-search', () => RECORD)
    const text = (await readFile(file, 'utf8'))
      .replace('"stage": 0', '"stage": 7')
      .replace('"phase": "running"', '"phase": "walking"')
    await writeFile(file, text)
    const { rollouts, issues } = await readRollouts(file)
    expect(rollouts).toEqual([])
    expect(issues.map((i) => i.path)).toEqual([
      '/canarykit/rollouts/new-search/phase',
      '/canarykit/rollouts/new-search/stage',
    ])
  })

  it('reports a missing file as SOURCE_UNAVAILABLE', async () => {
    const error: unknown = await readRollouts(join(dir, 'missing.json')).catch((e: unknown) => e)
    expect(isFlagsError(error) && error.code).toBe('SOURCE_UNAVAILABLE')
  })
})
