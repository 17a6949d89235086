import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMetricsRecorder, type MetricsRecorder } from './metrics/metrics-recorder.js'
import type { RolloutGuard } from './shell/guard-options.js'
import { createHarness, type Harness } from './testing/guard-harness.js'

/*
 * The shell wired to the package's real judge, stage machine and recorder: sessions are routed by
 * the real engine (which the guard reloads after every write), their outcomes recorded, and the
 * guard walks or rolls back on its own. Traffic is synthetic and seeded; time is virtual.
 */

let h: Harness

beforeEach(async () => {
  h = await createHarness()
})

afterEach(async () => {
  await h.cleanup()
})

const MIN = 60_000

interface Behaviour {
  readonly errorRate: number
  readonly latencyMs: number
}

/** A small seeded PRNG (mulberry32), so every run sees the same traffic. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One minute of traffic: new sessions, routed by the engine, 4 calls each. */
function minuteOfTraffic(
  recorder: MetricsRecorder,
  random: () => number,
  minute: number,
  behaviour: Record<string, Behaviour>,
): void {
  for (let s = 0; s < 400; s++) {
    const unitKey = `m${minute}-s${s}`
    const variant =
      h.engine.resolveVariant('new-search', { targetingKey: unitKey }).variant ?? 'stable'
    recorder.assigned({ flagKey: 'new-search', variant, unitKey, overridden: false })
    const { errorRate, latencyMs } = behaviour[variant] ?? { errorRate: 0, latencyMs: 100 }
    for (let c = 0; c < 4; c++) {
      const error = random() < errorRate
      const latency =
        latencyMs *
        Math.exp(0.3 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()))
      recorder.record({
        flagKey: 'new-search',
        variant,
        operation: 'search',
        unitKey,
        latencyMs: latency,
        error,
        success: !error,
        overridden: false,
      })
    }
  }
}

async function run(
  guard: RolloutGuard,
  recorder: MetricsRecorder,
  minutes: number,
  behaviour: Record<string, Behaviour>,
): Promise<void> {
  const random = prng(42)
  for (let minute = 0; minute < minutes; minute++) {
    minuteOfTraffic(recorder, random, minute, behaviour)
    h.now += MIN
    await guard.tick()
    const status = (await guard.status())[0]
    if (status?.phase !== 'running') return
  }
}

describe('the guard with the real judge', () => {
  it('walks a healthy canary through 1 → 10 → 50 → 100 % and completes', async () => {
    const recorder = createMetricsRecorder()
    const guard = h.guard(undefined, { recorder })
    await guard.start('new-search', {
      baseline: 'stable',
      canary: 'canary',
      actor: 'alice',
      reason: 'v2',
    })
    const same = { errorRate: 0.01, latencyMs: 100 }
    await run(guard, recorder, 300, { stable: same, canary: same })
    await guard.close()
    const audit = await h.audit()
    expect(audit.map((a) => `${a.action}:${a.percentage}`)).toEqual([
      'start:1',
      'proceed:10',
      'proceed:50',
      'complete:100',
    ])
    expect(await h.rollout()).toMatchObject({ phase: 'completed' })
    expect(h.canaryShare()).toBe(100)
    // Each stage waited at least its dwell time (10, 30, 60 minutes).
    const at = audit.map((a) => Date.parse(a.at))
    const dwellMinutes = at.slice(1).map((t, i) => (t - (at[i] ?? 0)) / MIN)
    expect(dwellMinutes[0]).toBeGreaterThanOrEqual(10)
    expect(dwellMinutes[1]).toBeGreaterThanOrEqual(30)
    expect(dwellMinutes[2]).toBeGreaterThanOrEqual(60)
  })

  it('rolls a regressing canary back by itself, and every new evaluation gets the baseline', async () => {
    const recorder = createMetricsRecorder()
    const guard = h.guard(undefined, { recorder })
    await guard.start('new-search', {
      baseline: 'stable',
      canary: 'canary',
      actor: 'alice',
      reason: 'v2',
    })
    await run(guard, recorder, 60, {
      stable: { errorRate: 0.01, latencyMs: 100 },
      canary: { errorRate: 0.3, latencyMs: 100 },
    })
    await guard.close()
    const last = (await h.audit()).at(-1)
    expect(last).toMatchObject({
      action: 'rollback',
      actor: 'guard',
      criterion: 'error-rate',
      persisted: true,
    })
    expect(last?.numbers?.canary.errors).toBeGreaterThan(0)
    expect(h.engine.overrides().get('new-search')).toBe('stable')
    expect(h.canaryShare()).toBe(0)
    expect((await h.flag())['targeting']).toBeUndefined()
    expect(h.alerts.at(-1)).toMatchObject({ level: 'critical', kind: 'rollback' })
  })
})
