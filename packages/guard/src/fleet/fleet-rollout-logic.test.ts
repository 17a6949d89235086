import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MetricsSnapshot, VariantMetrics } from '../metrics/metrics-snapshot.js'
import { createRolloutState } from '../stages/rollout-state.js'
import { createHarness, T0, type Harness } from '../testing/guard-harness.js'
import type { Criteria, Plan } from '../types.js'
import { bucketDistribution } from './bucket-distribution.js'
import { createFleetRolloutLogic } from './fleet-rollout-logic.js'
import type { MetricSource, MetricSourceResult } from './prometheus-metric-source.js'

const PLAN: Plan = { stages: [{ percentage: 10, minDurationS: 5 }, { percentage: 100 }] }
const CRITERIA: Criteria = { latency: false, errorRate: { maxIncrease: 0.05 } }

/** Fleet-wide evidence as Prometheus would sum it: `errors` of `calls` failing, all ≤ 50 ms. */
function variant(calls: number, errors: number): VariantMetrics {
  return {
    calls,
    errors,
    successObserved: calls,
    successes: calls - errors,
    sessions: Math.round(calls / 5),
    latency: bucketDistribution([
      { upper: 50, count: calls },
      { upper: Infinity, count: 0 },
    ]),
  }
}

function snapshot(stage: number, canaryErrors: number): MetricsSnapshot {
  return {
    flagKey: 'new-search',
    stage,
    sessionsFrom: 'assigned',
    variants: { stable: variant(9000, 0), canary: variant(1000, canaryErrors) },
  }
}

/** A scripted source: answers `next(stageStartedAt)`, so a test switches outages on and off. */
function scripted(next: (stage: number) => MetricSourceResult): MetricSource & { reads: number } {
  const source = {
    reads: 0,
    read: (_flag: string, stage: number) => {
      source.reads++
      return Promise.resolve(next(stage))
    },
  }
  return source
}

const DOWN: MetricSourceResult = {
  status: 'unavailable',
  reason: 'Prometheus unavailable: fetch failed',
}
const healthy = (stage: number): MetricSourceResult => ({
  status: 'ok',
  snapshot: snapshot(stage, 0),
})

describe('createFleetRolloutLogic', () => {
  const state = createRolloutState({
    flagKey: 'new-search',
    baseline: 'stable',
    canary: 'canary',
    plan: PLAN,
    criteria: CRITERIA,
    now: T0,
  })

  it('holds without a read, while unavailable and on stale data; one notice per outage after the grace', async () => {
    let result: MetricSourceResult = DOWN
    const logic = createFleetRolloutLogic({
      source: scripted(() => result),
      graceMs: 20_000,
      maxAgeMs: 10_000,
    })
    expect(logic.step(state, T0 + 1000).decision.reason).toBe(
      'holding: no metrics read for this stage yet',
    )
    const notices: string[] = []
    for (let t = 5_000; t <= 40_000; t += 5_000) {
      await logic.refresh(state, T0 + t)
      const { state: next, decision, notice } = logic.step(state, T0 + t)
      expect(decision.kind).toBe('hold')
      expect(decision.reason).toBe('holding: Prometheus unavailable: fetch failed')
      expect(next).toBe(state)
      if (notice !== undefined) notices.push(`${t}: ${notice.kind} since ${notice.since - T0}`)
    }
    // The outage began at the first step without usable metrics (T0 + 1 s): 20 s later, once.
    expect(notices).toEqual(['25000: metrics-unavailable since 1000'])
    result = healthy(state.stageStartedAt)
    await logic.refresh(state, T0 + 45_000)
    const back = logic.step(state, T0 + 45_000)
    expect(back.decision.kind).toBe('complete')
    expect(back.notice).toEqual({
      kind: 'metrics-restored',
      reason: 'Prometheus unavailable: fetch failed',
      since: T0 + 1000,
    })
    expect(logic.step(state, T0 + 46_000).notice).toBeUndefined()
    const stale = logic.step(state, T0 + 60_000)
    expect(stale.decision.reason).toBe('holding: metrics are stale (read 15 s ago)')
    expect(stale.decision.kind).toBe('hold')
  })

  it('holds on an answer whose newest sample is too old (Prometheus restarted, not scraping yet)', async () => {
    let sampledAt = T0
    const source = scripted((stage) => ({ status: 'ok', snapshot: snapshot(stage, 0), sampledAt }))
    const logic = createFleetRolloutLogic({ source, maxAgeMs: 3_000 })
    await logic.refresh(state, T0 + 10_000)
    const stale = logic.step(state, T0 + 10_000)
    expect(stale.decision.kind).toBe('hold')
    expect(stale.decision.reason).toBe('holding: metrics are stale (newest sample 10 s old)')
    sampledAt = T0 + 9_000
    await logic.refresh(state, T0 + 10_000)
    expect(logic.step(state, T0 + 10_000).decision.kind).toBe('complete')
  })

  it('sends no notice for an outage shorter than the grace', async () => {
    let result: MetricSourceResult = DOWN
    const logic = createFleetRolloutLogic({ source: scripted(() => result), graceMs: 20_000 })
    const notices: unknown[] = []
    for (let t = 1_000; t <= 60_000; t += 1_000) {
      result = t > 10_000 && t < 25_000 ? DOWN : healthy(state.stageStartedAt)
      await logic.refresh(state, T0 + t)
      const { notice } = logic.step(state, T0 + t)
      if (notice !== undefined) notices.push(notice)
    }
    expect(notices).toEqual([])
  })

  it('holds on healthy but incomplete evidence, naming the unscraped replica, and alerts after the grace', async () => {
    const source = scripted((stage) => ({
      status: 'ok',
      snapshot: snapshot(stage, 0),
      unscraped: ['10.0.0.7:9464 (mcp)'],
    }))
    const logic = createFleetRolloutLogic({ source, graceMs: 10_000 })
    const kinds = new Set<string>()
    let notice: unknown
    for (let t = 1_000; t <= 60_000; t += 1_000) {
      await logic.refresh(state, T0 + t)
      const result = logic.step(state, T0 + t)
      kinds.add(result.decision.kind)
      expect(result.state).toBe(state)
      notice ??= result.notice
      if (t === 30_000) {
        expect(result.decision.reason).toBe(
          'holding: incomplete metrics: Prometheus fails to scrape 10.0.0.7:9464 (mcp); not promoting on it',
        )
        // The numbers there are stay visible; the share is this stage's.
        expect(result.decision.canary.calls).toBe(1000)
        expect(result.decision).toMatchObject({ stage: 0, percentage: 10 })
      }
    }
    // Dwell passed long ago and the canary is healthy: still never promoted.
    expect([...kinds]).toEqual(['hold'])
    expect(notice).toEqual({
      kind: 'metrics-unavailable',
      reason: 'incomplete metrics: Prometheus fails to scrape 10.0.0.7:9464 (mcp)',
      since: T0 + 1_000,
      unscraped: ['10.0.0.7:9464 (mcp)'],
    })
  })

  it('rolls back on incomplete evidence that already proves a regression', async () => {
    const source = scripted((stage) => ({
      status: 'ok',
      snapshot: snapshot(stage, 400),
      unscraped: ['10.0.0.7:9464 (mcp)'],
    }))
    const logic = createFleetRolloutLogic({ source })
    await logic.refresh(state, T0 + 2_000)
    const { decision, state: next } = logic.step(state, T0 + 2_000)
    expect(decision.kind).toBe('rollback')
    expect(next.phase).toBe('rolled-back')
    expect(decision.reason).toMatch(
      /^rolling back at 10 %: error rate: .* \(on incomplete metrics: Prometheus fails to scrape 10\.0\.0\.7:9464 \(mcp\)\)$/,
    )
  })

  it('never rolls back on missing data, and completes a 100 % stage on dwell alone', async () => {
    const source = scripted(() => DOWN)
    const logic = createFleetRolloutLogic({ source, graceMs: 1_000 })
    for (let t = 1_000; t <= 30_000; t += 1_000) {
      await logic.refresh(state, T0 + t)
      expect(logic.step(state, T0 + t).decision.kind).toBe('hold')
    }
    const full = { ...state, stage: 1 }
    const reads = source.reads
    await logic.prepare?.([], T0 + 31_000)
    const { decision, notice } = logic.step(full, T0 + 31_000)
    expect(decision.kind).toBe('complete')
    expect(notice).toBeUndefined()
    expect(source.reads).toBe(reads)
  })
})

describe('a guard on the fleet logic: metrics outages through its alerts', () => {
  let h: Harness
  let webhook: Server
  let bodies: { text: string; canarykit: Record<string, unknown> }[]

  beforeEach(async () => {
    h = await createHarness()
    bodies = []
    webhook = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      req.on('end', () => {
        bodies.push(JSON.parse(body) as (typeof bodies)[number])
        res.writeHead(200).end('ok')
      })
    })
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve))
  })

  afterEach(async () => {
    await h.cleanup()
    webhook.closeAllConnections()
    await new Promise((resolve) => webhook.close(resolve))
  })

  it('alerts (callback, webhook, audit) once when metrics stay unusable past the grace, once when back; never moves meanwhile', async () => {
    let up = false
    const logic = createFleetRolloutLogic({
      source: scripted((stage) => (up ? healthy(stage) : DOWN)),
      graceMs: 3_000,
    })
    const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`
    const guard = h.guard(logic, {
      alerts: { onAlert: (alert) => h.alerts.push(alert), webhook: { url } },
    })
    await guard.start('new-search', {
      baseline: 'stable',
      canary: 'canary',
      plan: PLAN,
      criteria: CRITERIA,
      actor: 'alice',
      reason: 'v2',
    })
    // 10 s of outage, checked every second: dwell (5 s) passes, nothing moves.
    for (let i = 1; i <= 10; i++) {
      h.now = T0 + i * 1000
      await guard.tick()
      expect(await h.rollout()).toMatchObject({ phase: 'running', stage: 0 })
    }
    up = true
    for (let i = 11; i <= 12; i++) {
      h.now = T0 + i * 1000
      await guard.tick()
    }
    await guard.close()

    const kinds = h.alerts.map((a) => `${a.kind}/${a.level}`)
    expect(kinds).toEqual([
      'start/info',
      'metrics-unavailable/warning',
      'metrics-restored/info',
      'complete/info',
    ])
    const outage = h.alerts[1]
    expect(outage).toMatchObject({
      flagKey: 'new-search',
      actor: 'guard',
      percentage: 10,
      reason: 'Prometheus unavailable: fetch failed',
      at: T0 + 4_000,
    })
    expect(outage?.text).toBe(
      'canarykit: `new-search`: metrics unusable for 3 s (Prometheus unavailable: fetch failed). Holding at 10 %: no promotion on missing or stale metrics, no rollback on missing metrics alone.',
    )
    expect(h.alerts[2]?.text).toBe(
      'canarykit: `new-search`: metrics are back after 10 s; judging again at 10 % (the outage: Prometheus unavailable: fetch failed).',
    )
    expect(bodies.map((b) => b.canarykit['kind'])).toEqual(kinds.map((k) => k.split('/')[0]))
    expect(bodies[1]?.text).toBe(`:warning: ${outage?.text ?? ''}`)
    const audit = await h.audit()
    expect(audit.map((r) => `${r.action}/${r.kind}`)).toEqual([
      'start/continue',
      'metrics-unavailable/hold',
      'metrics-restored/complete',
      'complete/complete',
    ])
    expect(audit[1]).toMatchObject({
      actor: 'guard',
      reason: 'Prometheus unavailable: fetch failed',
      phase: 'running',
      stage: 0,
      percentage: 10,
      persisted: true,
    })
  })
})
