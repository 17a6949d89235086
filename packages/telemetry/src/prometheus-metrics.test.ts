import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isFlagsError, type Outcome } from '@canarykit/core'
import { Gauge, Registry, register as globalRegistry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createPrometheusMetrics } from './prometheus-metrics.js'

const outcome = (over: Partial<Outcome> = {}): Outcome => ({
  flagKey: 'search-v2',
  variant: 'canary',
  operation: 'search',
  unitKey: 'session-1',
  latencyMs: 120,
  error: false,
  overridden: false,
  ...over,
})

/** `name{labels} value` lines of the exposition, without comments. */
async function samples(registry: Registry): Promise<Map<string, number>> {
  const lines = (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'))
  return new Map(
    lines.map((line) => {
      const cut = line.lastIndexOf(' ')
      return [line.slice(0, cut), Number(line.slice(cut + 1))]
    }),
  )
}

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('the metric contract', () => {
  it('registers exactly the documented names, types and labels', async () => {
    const { registry } = createPrometheusMetrics()
    const metrics = await registry.getMetricsAsJSON()
    const contract = Object.fromEntries(metrics.map((m) => [m.name, m.type]))
    expect(contract).toEqual({
      canarykit_flag_evaluations_total: 'counter',
      canarykit_tool_calls_total: 'counter',
      canarykit_tool_call_duration_seconds: 'histogram',
      canarykit_sessions_assigned_total: 'counter',
      canarykit_rollout_target_ratio: 'gauge',
      canarykit_rollout_stage: 'gauge',
      canarykit_rollout_phase: 'gauge',
      canarykit_guard_decisions_total: 'counter',
      canarykit_rollbacks_total: 'counter',
    })
    // docs/telemetry.md documents every one of them.
    const docs = readFileSync(new URL('../../../docs/telemetry.md', import.meta.url), 'utf8')
    for (const name of Object.keys(contract)) expect(docs).toContain(`\`${name}\``)
  })

  it('counts calls by tool, flag, variant and outcome, and observes seconds', async () => {
    const metrics = createPrometheusMetrics()
    metrics.record(outcome({ latencyMs: 120 }))
    metrics.record(outcome({ latencyMs: 30, error: true }))
    metrics.record(outcome({ latencyMs: 40, success: false }))
    metrics.record(outcome({ latencyMs: 50, success: true }))
    metrics.record(outcome({ variant: 'stable', latencyMs: 2 }))
    const s = await samples(metrics.registry)
    const calls = (variant: string, result: string): number | undefined =>
      s.get(
        `canarykit_tool_calls_total{tool="search",flag="search-v2",variant="${variant}",outcome="${result}"}`,
      )
    expect([calls('canary', 'ok'), calls('canary', 'error'), calls('canary', 'failure')]).toEqual([
      2, 1, 1,
    ])
    // The other outcomes of a variant exist at 0 from its first call.
    expect([calls('stable', 'ok'), calls('stable', 'error'), calls('stable', 'failure')]).toEqual([
      1, 0, 0,
    ])
    const series = 'tool="search",flag="search-v2",variant="canary"'
    expect(s.get(`canarykit_tool_call_duration_seconds_sum{${series}}`)).toBeCloseTo(0.24, 9)
    expect(s.get(`canarykit_tool_call_duration_seconds_count{${series}}`)).toBe(4)
    // prom-client puts `le` first.
    expect(s.get(`canarykit_tool_call_duration_seconds_bucket{le="0.05",${series}}`)).toBe(3)
    expect(s.get(`canarykit_tool_call_duration_seconds_bucket{le="60",${series}}`)).toBe(4)
  })

  it('counts sessions pinned by the flag, not those forced by a header', async () => {
    const metrics = createPrometheusMetrics()
    metrics.assigned({ flagKey: 'f', variant: 'canary', unitKey: 'a', overridden: false })
    metrics.assigned({ flagKey: 'f', variant: 'canary', unitKey: 'b', overridden: false })
    metrics.assigned({ flagKey: 'f', variant: 'canary', unitKey: 'c', overridden: true })
    const s = await samples(metrics.registry)
    expect(s.get('canarykit_sessions_assigned_total{flag="f",variant="canary"}')).toBe(2)
  })

  it('counts evaluations with lowercase reasons and an empty variant for errors', async () => {
    const metrics = createPrometheusMetrics()
    metrics.recordEvaluation({ flagKey: 'f', variant: 'on', reason: 'TARGETING_MATCH' })
    metrics.recordEvaluation({ flagKey: 'f', variant: 'on', reason: 'TARGETING_MATCH' })
    metrics.recordEvaluation({ flagKey: 'g', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' })
    const s = await samples(metrics.registry)
    expect(
      s.get('canarykit_flag_evaluations_total{flag="f",variant="on",reason="targeting_match"}'),
    ).toBe(2)
    expect(s.get('canarykit_flag_evaluations_total{flag="g",variant="",reason="error"}')).toBe(1)
  })

  it('counts differently spelled reasons that lowercase alike in one series', async () => {
    const metrics = createPrometheusMetrics()
    metrics.recordEvaluation({ flagKey: 'f', variant: 'on', reason: 'STATIC' })
    metrics.recordEvaluation({ flagKey: 'f', variant: 'on', reason: 'static' })
    const s = await samples(metrics.registry)
    expect(s.get('canarykit_flag_evaluations_total{flag="f",variant="on",reason="static"}')).toBe(2)
  })
})

describe('the guard extension point', () => {
  it('takes a guard status: ratio, stage, and the phase as a state set', async () => {
    const metrics = createPrometheusMetrics()
    // The shape of @canarykit/guard's RolloutStatus (extra fields are ignored).
    const status = {
      flagKey: 'search-v2',
      baseline: 'stable',
      canary: 'canary',
      phase: 'running',
      stage: 1,
      stages: 4,
      percentage: 10,
      stageStartedAt: 0,
      waitingFor: 'dwell: 300 s left at 10 %',
      pendingWrite: false,
    }
    metrics.setRollout(status)
    let s = await samples(metrics.registry)
    expect(s.get('canarykit_rollout_target_ratio{flag="search-v2"}')).toBeCloseTo(0.1, 12)
    expect(s.get('canarykit_rollout_stage{flag="search-v2"}')).toBe(1)
    const phase = (p: string): number | undefined =>
      s.get(`canarykit_rollout_phase{flag="search-v2",phase="${p}"}`)
    expect(['running', 'paused', 'rolled-back', 'completed'].map(phase)).toEqual([1, 0, 0, 0])
    // Decisions and rollbacks of a known flag exist at 0 before the first one.
    expect(s.get('canarykit_guard_decisions_total{flag="search-v2",decision="rollback"}')).toBe(0)
    expect(s.get('canarykit_rollbacks_total{flag="search-v2",criterion="error-rate"}')).toBe(0)

    // The shape of a guard Alert for a rollback.
    const alert = {
      level: 'critical',
      kind: 'rollback',
      text: 'canarykit: `search-v2`: error rate above baseline',
      at: 0,
      flagKey: 'search-v2',
      actor: 'guard',
      criterion: 'error-rate',
      phase: 'rolled-back',
      stage: 1,
      percentage: 0,
    } as const
    metrics.recordDecision(alert)
    s = await samples(metrics.registry)
    expect(s.get('canarykit_guard_decisions_total{flag="search-v2",decision="rollback"}')).toBe(1)
    expect(s.get('canarykit_rollbacks_total{flag="search-v2",criterion="error-rate"}')).toBe(1)
    expect(s.get('canarykit_rollout_target_ratio{flag="search-v2"}')).toBe(0)
    expect(['running', 'paused', 'rolled-back', 'completed'].map(phase)).toEqual([0, 0, 1, 0])
  })

  it('counts a bare decision, a rollback without a criterion, and ignores flagless records', async () => {
    const metrics = createPrometheusMetrics()
    // A guard Decision has no flag key: the caller adds it; it carries no phase.
    metrics.recordDecision({ flagKey: 'f', kind: 'hold', stage: 0, percentage: 1 })
    metrics.recordDecision({ flagKey: 'f', kind: 'rollback' })
    metrics.recordDecision({ kind: 'config-invalid' })
    const s = await samples(metrics.registry)
    expect(s.get('canarykit_guard_decisions_total{flag="f",decision="hold"}')).toBe(1)
    expect(s.get('canarykit_rollbacks_total{flag="f",criterion="none"}')).toBe(1)
    expect(s.get('canarykit_rollout_target_ratio{flag="f"}')).toBe(0.01)
    expect([...s.keys()].some((k) => k.includes('config-invalid'))).toBe(false)
  })

  it('never throws, whatever it is fed', () => {
    const metrics = createPrometheusMetrics()
    const junk = [null, undefined, 42, {}, { flagKey: 7 }, { flagKey: 'f', kind: null }]
    for (const value of junk) {
      expect(() => metrics.record(value as unknown as Outcome)).not.toThrow()
      expect(() => metrics.recordEvaluation(value as never)).not.toThrow()
      expect(() => metrics.setRollout(value as never)).not.toThrow()
      expect(() => metrics.recordDecision(value as never)).not.toThrow()
      expect(() => metrics.assigned(value as never)).not.toThrow()
    }
  })
})

describe('registry and options', () => {
  it('uses a new registry by default, never the global one', async () => {
    const a = createPrometheusMetrics()
    const b = createPrometheusMetrics()
    expect(a.registry).not.toBe(b.registry)
    expect(a.registry).not.toBe(globalRegistry)
    expect(await globalRegistry.getMetricsAsJSON()).toEqual([])
  })

  it('refuses to register twice into one registry, with a FlagsError', () => {
    const registry = new Registry()
    createPrometheusMetrics({ registry })
    const error = thrown(() => createPrometheusMetrics({ registry }))
    expect(isFlagsError(error) && error.code).toBe('INVALID_CONFIG')
    expect(String(error)).toContain('canarykit_flag_evaluations_total')
    // Another prefix fits beside it.
    expect(() => createPrometheusMetrics({ registry, prefix: 'other_' })).not.toThrow()
  })

  it('leaves the registry as it was when a later name collides', async () => {
    const registry = new Registry()
    new Gauge({ name: 'canarykit_rollbacks_total', help: 'taken', registers: [registry] })
    const error = thrown(() => createPrometheusMetrics({ registry }))
    expect(isFlagsError(error) && error.code).toBe('INVALID_CONFIG')
    expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([
      'canarykit_rollbacks_total',
    ])
  })

  it('applies the prefix and default labels to its own metrics only', async () => {
    const registry = new Registry()
    const mine = new Gauge({ name: 'app_up', help: 'up', registers: [registry] })
    mine.set(1)
    const metrics = createPrometheusMetrics({
      registry,
      prefix: 'ck_',
      defaultLabels: { service: 'docs' },
    })
    metrics.assigned({ flagKey: 'f', variant: 'v', unitKey: 'u', overridden: false })
    const s = await samples(registry)
    expect(s.get('ck_sessions_assigned_total{flag="f",variant="v",service="docs"}')).toBe(1)
    expect(s.get('app_up')).toBe(1)
  })

  it('rejects bad options with INVALID_CONFIG', () => {
    const bad = [
      { prefix: '1abc' },
      { defaultLabels: { flag: 'x' } },
      { defaultLabels: { 'bad-name': 'x' } },
      { defaultLabels: { __meta: 'x' } },
      { defaultLabels: { service: 3 as unknown as string } },
      { durationBuckets: [] },
      { durationBuckets: [1, 0.5] },
      { durationBuckets: [0, 1] },
      { durationBuckets: [1, Number.POSITIVE_INFINITY] },
      { maxSeriesPerMetric: 0 },
      { maxSeriesPerMetric: 1.5 },
    ]
    for (const options of bad) {
      const error = thrown(() => createPrometheusMetrics(options))
      expect(isFlagsError(error) && error.code, JSON.stringify(options)).toBe('INVALID_CONFIG')
    }
  })

  it('uses the configured duration buckets', async () => {
    const metrics = createPrometheusMetrics({ durationBuckets: [0.1, 1] })
    metrics.record(outcome({ latencyMs: 500 }))
    const le = [...(await samples(metrics.registry)).keys()]
      .filter((k) => k.startsWith('canarykit_tool_call_duration_seconds_bucket'))
      .map((k) => /le="([^"]+)"/.exec(k)?.[1])
    expect(le).toEqual(['0.1', '1', '+Inf'])
  })
})

describe('the /metrics handler over node:http', () => {
  let server: Server | undefined
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    server = undefined
  })

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler)
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
  }

  it('serves the registry in its content type; HEAD without a body; 405 otherwise', async () => {
    const metrics = createPrometheusMetrics()
    metrics.record(outcome())
    const url = await serve(metrics.handler)
    const get = await fetch(url)
    expect(get.status).toBe(200)
    expect(get.headers.get('content-type')).toBe(metrics.registry.contentType)
    expect(await get.text()).toContain('canarykit_tool_calls_total{tool="search"')
    const head = await fetch(url, { method: 'HEAD' })
    expect([head.status, await head.text()]).toEqual([200, ''])
    const post = await fetch(url, { method: 'POST' })
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
  })

  it('answers 500 when a collector in the registry fails', async () => {
    const metrics = createPrometheusMetrics()
    new Gauge({
      name: 'broken',
      help: 'throws on collect',
      registers: [metrics.registry],
      collect() {
        throw new Error('collector down')
      },
    })
    const response = await fetch(await serve(metrics.handler))
    expect(response.status).toBe(500)
    expect(await response.text()).toContain('collector down')
  })
})
