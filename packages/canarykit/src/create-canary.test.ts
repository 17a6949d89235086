import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { isFlagsError, type Logger } from '@canarykit/core'
import type { Alert } from '@canarykit/guard'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Canary } from './canary-options.js'
import { createCanary } from './create-canary.js'
import {
  FLAG,
  FLAGS,
  eventually,
  listen,
  session,
  tempFlags,
  text,
  webhookReceiver,
  type Search,
  type TempDir,
} from './testing/harness.js'

const v1: Search = ({ q }) => text(`v1:${q}`)
const v2: Search = ({ q }) => text(`v2:${q}`)
const broken: Search = () => {
  throw new Error('v2 crashed')
}
const quiet: Logger = {}
/** Fast reloads and checks, so each test takes well under a second of waiting. */
const fast = { reload: { debounceMs: 10, pollIntervalMs: 50 }, checkIntervalMs: 50 } as const
const FAST_CRITERIA = {
  latency: false,
  srm: false,
  minCallsPerVariant: 6,
  minSessionsPerVariant: 2,
} as const

const execFileAsync = promisify(execFile)

let tmp: TempDir
const cleanups: (() => Promise<void>)[] = []

beforeEach(async () => {
  tmp = await tempFlags()
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  await tmp.remove()
})

async function canaryOn(
  options: Partial<Parameters<typeof createCanary>[0]> = {},
): Promise<Canary> {
  const canary = await createCanary({ flagsFile: tmp.file, logger: quiet, ...fast, ...options })
  cleanups.push(() => canary.close())
  return canary
}

/** Runs sessions of `calls` calls until `done()` or `max` sessions; returns how many ran. */
async function traffic(search: Search, done: () => boolean, max = 300, calls = 3): Promise<number> {
  let n = 0
  while (n < max && !done()) {
    await session(search, `session-${n}`, calls)
    n++
    // In-memory MCP runs on promises alone: let the guard's timer have its turn.
    await new Promise((resolve) => setImmediate(resolve))
  }
  return n
}

describe('createCanary', () => {
  it('serves the flags file, hot-reloads it, and keeps the last good flags on a bad edit', async () => {
    const warnings: string[] = []
    const canary = await canaryOn({ logger: { warn: (m) => warnings.push(m) } })
    const search = canary.tool({ flag: FLAG, variants: { stable: v1, canary: v2 } })
    expect(await session(search, 'a', 2)).toEqual(['v1:q0', 'v1:q1'])

    await tmp.write(FLAGS.replace('"defaultVariant": "stable"', '"defaultVariant": "canary"'))
    let n = 0 // a new session each time: a session keeps the variant it was first served
    expect(await eventually(async () => (await session(search, `b${n++}`, 1))[0] === 'v2:q0')).toBe(
      true,
    )
    // Session `a` stays pinned to what it was first served: stickiness across reloads.
    expect(await session(search, 'a', 1)).toEqual(['v1:q0'])

    await tmp.write('{ "flags": { "search-v2": ')
    const reported = (): boolean =>
      warnings.some((w) => w.includes(`${tmp.file}: invalid JSON`) && w.includes('keeps serving'))
    expect(await eventually(reported)).toBe(true)
    expect(await session(search, 'c', 1)).toEqual(['v2:q0'])
    expect(canary.auditFile).toBe(join(tmp.dir, 'flags.audit.jsonl'))
  })

  it('checkIntervalMs: false never judges (a fleet replica); manual commands still work', async () => {
    const alerts: Alert[] = []
    const canary = await canaryOn({
      checkIntervalMs: false,
      alerts: { onAlert: (a) => alerts.push(a) },
      plan: { stages: [{ percentage: 50, minDurationS: 0 }, { percentage: 100 }] },
      criteria: { ...FAST_CRITERIA, errorRate: false },
    })
    const search = canary.tool({ flag: FLAG, variants: { stable: v1, canary: v2 } })
    await canary.rollout(FLAG)
    // Traffic a checking guard would complete on (the next test does, at 50 ms checks).
    await traffic(search, () => false, 40)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(alerts.map((a) => a.kind)).toEqual(['start'])
    const file = (await tmp.readJson()) as { canarykit: { rollouts: Record<string, unknown> } }
    expect(file.canarykit.rollouts[FLAG]).toMatchObject({ phase: 'running', stage: 0 })
    // Manual commands still act: a rollback serves stable at once.
    expect((await canary.guard.rollback(FLAG, { actor: 'ops', reason: 'test' })).phase).toBe(
      'rolled-back',
    )
    expect(await session(search, 'after-rollback', 2)).toEqual(['v1:q0', 'v1:q1'])
  })

  it('rollout() infers the variants, starts once, and the guard completes a healthy canary', async () => {
    const alerts: Alert[] = []
    const canary = await canaryOn({
      alerts: { onAlert: (a) => alerts.push(a) },
      plan: { stages: [{ percentage: 50, minDurationS: 0 }, { percentage: 100 }] },
      criteria: { ...FAST_CRITERIA, errorRate: false },
    })
    const search = canary.tool({ flag: FLAG, variants: { stable: v1, canary: v2 } })
    const started = await canary.rollout(FLAG)
    expect(started).toMatchObject({ baseline: 'stable', canary: 'canary', phase: 'running' })
    expect(started.percentage).toBe(50)
    expect((await canary.rollout(FLAG)).phase).toBe('running')
    expect(alerts.filter((a) => a.kind === 'start')).toHaveLength(1)

    await traffic(search, () => alerts.some((a) => a.kind === 'complete'))
    expect(alerts.map((a) => a.kind)).toEqual(['start', 'complete'])
    const file = (await tmp.readJson()) as { canarykit: { rollouts: Record<string, unknown> } }
    expect(file.canarykit.rollouts[FLAG]).toMatchObject({ phase: 'completed' })
    expect(await eventually(async () => (await audit(canary)).length === 2)).toBe(true)
    expect((await audit(canary)).map((r) => r['action'])).toEqual(['start', 'complete'])

    const metrics = await listen(canary.metricsHandler)
    cleanups.push(() => metrics.close())
    const body = await (await fetch(metrics.url)).text()
    expect(body).toMatch(/canarykit_tool_calls_total\{[^}]*variant="canary"[^}]*\} \d+/)
    expect(body).toMatch(/canarykit_rollout_target_ratio\{[^}]*flag="search-v2"[^}]*\} 1/)
  })

  it('rolls a failing canary back by itself: kill switch, file, webhook and audit', async () => {
    const webhook = await webhookReceiver()
    cleanups.push(() => webhook.close())
    const alerts: Alert[] = []
    const canary = await canaryOn({
      alerts: { webhook: webhook.url, onAlert: (a) => alerts.push(a) },
      plan: { stages: [{ percentage: 50, minDurationS: 60 }, { percentage: 100 }] },
      criteria: FAST_CRITERIA,
    })
    const search = canary.tool({ flag: FLAG, variants: { stable: v1, canary: broken } })
    await canary.rollout(FLAG, { actor: 'test', reason: 'v2 with a bug' })
    await traffic(search, () => alerts.some((a) => a.kind === 'rollback'))

    const rollback = alerts.find((a) => a.kind === 'rollback')
    expect(rollback).toMatchObject({ level: 'critical', actor: 'guard', criterion: 'error-rate' })
    // Every session is served by the baseline at once, pinned ones included.
    for (let i = 0; i < 20; i++) expect(await session(search, `session-${i}`, 1)).toEqual(['v1:q0'])
    const file = (await tmp.readJson()) as {
      flags: Record<string, Record<string, unknown>>
      canarykit: { rollouts: Record<string, Record<string, unknown>> }
    }
    expect(file.canarykit.rollouts[FLAG]?.['phase']).toBe('rolled-back')
    expect(file.flags[FLAG]).toMatchObject({ defaultVariant: 'stable' })
    expect(file.flags[FLAG]?.['targeting']).toBeUndefined()
    // A restarted server calling rollout() again does not bring the canary back.
    expect((await canary.rollout(FLAG)).phase).toBe('rolled-back')

    await canary.close()
    const kinds = webhook.bodies.map((b) => (b['canarykit'] as { kind: string }).kind)
    expect(kinds).toEqual(['start', 'rollback'])
    expect(String(webhook.bodies[1]?.['text'])).toContain('rolling back')
    const records = await audit(canary)
    expect(records.map((r) => [r['action'], r['actor']])).toEqual([
      ['start', 'test'],
      ['rollback', 'guard'],
    ])
  })

  it('close() leaves no timer, watcher or socket behind, and is idempotent', async () => {
    const before = ours()
    const webhook = await webhookReceiver()
    const canary = await createCanary({
      flagsFile: tmp.file,
      logger: quiet,
      alerts: { webhook: webhook.url },
    })
    const search = canary.tool({ flag: FLAG, variants: { stable: v1, canary: v2 } })
    await canary.rollout(FLAG)
    await session(search, 'a', 2)
    expect(ours()['Timeout'] ?? 0).toBeGreaterThan(before['Timeout'] ?? 0) // the guard's timer
    await Promise.all([canary.close(), canary.close()])
    await webhook.close()
    // Nothing more of any kind than before (leftovers of earlier tests may have closed meanwhile).
    const noneLeft = (): boolean =>
      Object.entries(ours()).every(([kind, n]) => n <= (before[kind] ?? 0))
    expect(await eventually(noneLeft)).toBe(true)
  })

  it('rejects a flags file that does not load, naming the file', async () => {
    await tmp.write('{ "flags": { "search-v2": { "state": "ON" } } }')
    const error: unknown = await createCanary({ flagsFile: tmp.file, logger: quiet }).catch(
      (e: unknown) => e,
    )
    expect(isFlagsError(error) && error.code).toBe('INVALID_CONFIG')
    expect((error as Error).message).toContain(tmp.file)
    const missing: unknown = await createCanary({
      flagsFile: join(tmp.dir, 'nope.json'),
      logger: quiet,
    }).catch((e: unknown) => e)
    expect(isFlagsError(missing) && missing.code).toBe('SOURCE_UNAVAILABLE')
    const empty: unknown = await createCanary({ flagsFile: '' }).catch((e: unknown) => e)
    expect(isFlagsError(empty) && empty.code).toBe('INVALID_ARGUMENT')
  })

  it('rollout() asks for what it cannot infer', async () => {
    await tmp.write(FLAGS.replace('"canary": "v2"', '"canary": "v2", "next": "v3"'))
    const canary = await canaryOn()
    const unknown: unknown = await canary.rollout('nope').catch((e: unknown) => e)
    expect(isFlagsError(unknown) && unknown.message).toContain('no such flag')
    const ambiguous: unknown = await canary.rollout(FLAG).catch((e: unknown) => e)
    expect(isFlagsError(ambiguous) && ambiguous.message).toContain('name the canary')
    expect((await canary.rollout(FLAG, { canary: 'next' })).canary).toBe('next')
  })

  it('serves 503 from metricsHandler when metrics are off', async () => {
    const canary = await canaryOn({ metrics: false, audit: false })
    expect(canary.metrics).toBeUndefined()
    expect(canary.auditFile).toBeUndefined()
    const server = await listen(canary.metricsHandler)
    cleanups.push(() => server.close())
    const response = await fetch(server.url)
    expect(response.status).toBe(503)
    expect(await response.text()).toContain('metrics are off')
  })
})

async function audit(canary: Canary): Promise<Record<string, unknown>[]> {
  const lines = await readFile(canary.auditFile ?? '', 'utf8').catch(() => '')
  return lines
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

/** The kinds of resource that keep the event loop alive and that a canary could own, counted. */
function ours(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'Timeout' || kind.startsWith('FS') || kind.startsWith('TCP')) {
      counts[kind] = (counts[kind] ?? 0) + 1
    }
  }
  return counts
}

describe('close() in a real process', () => {
  it('lets the process exit by itself', async () => {
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url))
    const probe = fileURLToPath(new URL('./testing/close-probe.ts', import.meta.url))
    // The time bound is the assertion's teeth: a lingering handle keeps the child alive past it.
    const { stdout } = await execFileAsync(tsx, ['--conditions=@canarykit/source', probe], {
      timeout: 30_000,
      encoding: 'utf8',
    })
    expect(stdout.trim()).toBe('closed after 1 webhook alert(s)')
  }, 40_000)
})
