/**
 * `pnpm bench` (flags-file part): what the guard's safe write costs against simpler writers run
 * in the same process on the same 200-flag file, and how the text splice compares with
 * re-serialising the document.
 *
 *   tsx --conditions=@canarykit/source bench/flags-write.bench.ts [--json] [--rounds N]
 *
 * Cases (median per operation over interleaved rounds):
 * - `updateRollout`: read, validate with core, splice, validate, temp file + fsync, re-read, rename
 * - `updateRollout+cache`: the same as the guard runs it (the unchanged file's verdict is cached)
 * - `readRollouts`, `readRollouts+cache`: a guard check's read of an unchanged file, cold and warm
 * - `atomic-naive`: JSON.stringify, temp file + fsync, rename (no validation, no race check)
 * - `in-place`: JSON.stringify + writeFile over the file (neither atomic nor safe)
 * - `spliceJson` vs `JSON.stringify(doc, null, 2)`: the text step alone
 * With `--json`, stdout is one JSON object `{ "cases": [...], "ratios": {...} }`.
 */
import { mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createValidationCache } from '../src/persistence/atomic-update.js'
import { readRollouts, updateRollout } from '../src/persistence/flags-file.js'
import { spliceJson } from '../src/persistence/json-splice.js'
import type { RolloutRecord } from '../src/persistence/rollout-record.js'

const FLAGS = 200
const args = process.argv.slice(2)
const json = args.includes('--json')
const roundsArg = args.indexOf('--rounds')
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 30
if (!(rounds > 0)) throw new Error('--rounds needs a positive number')

function document(): Record<string, unknown> {
  const flags: Record<string, unknown> = {}
  for (let i = 0; i < FLAGS; i++) {
    flags[`flag-${i}`] = {
      state: 'ENABLED',
      variants: { stable: `v1-${i}`, canary: `v2-${i}` },
      defaultVariant: 'stable',
      targeting: {
        if: [
          { in: [{ var: 'tier' }, ['pro', 'enterprise']] },
          'canary',
          {
            fractional: [
              ['canary', 0],
              ['stable', 10000],
            ],
          },
        ],
      },
      metadata: { owner: `team-${i % 7}` },
    }
  }
  return { $schema: 'https://flagd.dev/schema/v0/flags.json', flags }
}

const record = (stage: number): RolloutRecord => ({
  flagKey: 'flag-42',
  baseline: 'stable',
  canary: 'canary',
  plan: {
    stages: [{ percentage: 1 }, { percentage: 10 }, { percentage: 50 }, { percentage: 100 }],
  },
  criteria: {},
  phase: 'running',
  stage,
  stageStartedAt: 1_750_000_000_000 + stage,
  epoch: 0,
})

async function naiveAtomic(file: string, doc: unknown): Promise<void> {
  const temp = `${file}.tmp`
  const handle = await open(temp, 'w')
  await handle.writeFile(JSON.stringify(doc, null, 2))
  await handle.sync()
  await handle.close()
  await rename(temp, file)
}

async function time(run: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint()
  await run()
  return Number(process.hrtime.bigint() - start) / 1000
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

const dir = await mkdtemp(join(tmpdir(), 'guard-bench-'))
try {
  const file = join(dir, 'flags.json')
  const doc = document()
  const text = `${JSON.stringify(doc, null, 2)}\n`
  await writeFile(file, text)
  const cache = createValidationCache()
  const samples: Record<string, number[]> = {
    updateRollout: [],
    'updateRollout+cache': [],
    readRollouts: [],
    'readRollouts+cache': [],
    'atomic-naive': [],
    'in-place': [],
    spliceJson: [],
    'JSON.stringify': [],
  }
  const edited = JSON.parse(text) as { flags: Record<string, { targeting: unknown }> }
  const target = edited.flags['flag-42']
  if (target !== undefined)
    target.targeting = {
      fractional: [
        ['canary', 1000],
        ['stable', 9000],
      ],
    }
  for (let round = 0; round < rounds + 3; round++) {
    const keep = round >= 3 // the first rounds warm up
    const push = (name: string, us: number): void => {
      if (keep) samples[name]?.push(us)
    }
    push(
      'updateRollout',
      await time(() =>
        updateRollout(file, 'flag-42', () => record(round % 4)).then(() => undefined),
      ),
    )
    await readRollouts(file, { cache }) // the check before a write has seen the file
    push(
      'updateRollout+cache',
      await time(() =>
        updateRollout(file, 'flag-42', () => record((round + 1) % 4), { cache }).then(
          () => undefined,
        ),
      ),
    )
    push('readRollouts', await time(() => readRollouts(file).then(() => undefined)))
    push(
      'readRollouts+cache',
      await time(() => readRollouts(file, { cache }).then(() => undefined)),
    )
    push('atomic-naive', await time(() => naiveAtomic(join(dir, 'naive.json'), doc)))
    push(
      'in-place',
      await time(() => writeFile(join(dir, 'inplace.json'), JSON.stringify(doc, null, 2))),
    )
    push('spliceJson', await time(() => void spliceJson(text, edited)))
    push('JSON.stringify', await time(() => void JSON.stringify(edited, null, 2)))
  }
  const cases = Object.entries(samples).map(([name, values]) => ({
    name,
    medianUs: Math.round(median(values)),
  }))
  const us = (name: string): number => cases.find((c) => c.name === name)?.medianUs ?? Number.NaN
  const ratios = {
    'updateRollout / atomic-naive': +(us('updateRollout') / us('atomic-naive')).toFixed(2),
    'updateRollout+cache / atomic-naive': +(us('updateRollout+cache') / us('atomic-naive')).toFixed(
      2,
    ),
    'readRollouts+cache / readRollouts': +(us('readRollouts+cache') / us('readRollouts')).toFixed(
      2,
    ),
    'updateRollout / in-place': +(us('updateRollout') / us('in-place')).toFixed(2),
    'spliceJson / JSON.stringify': +(us('spliceJson') / us('JSON.stringify')).toFixed(2),
  }
  const bytes = (await readFile(file)).length
  if (json) {
    process.stdout.write(`${JSON.stringify({ flags: FLAGS, bytes, rounds, cases, ratios })}\n`)
  } else {
    process.stdout.write(`flags file: ${FLAGS} flags, ${bytes} bytes, ${rounds} rounds (median)\n`)
    for (const c of cases)
      process.stdout.write(`  ${c.name.padEnd(20)} ${String(c.medianUs).padStart(8)} µs\n`)
    for (const [name, ratio] of Object.entries(ratios))
      process.stdout.write(`  ${name.padEnd(36)} ${ratio}×\n`)
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
