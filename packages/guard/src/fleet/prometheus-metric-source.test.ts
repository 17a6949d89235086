import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { bucketDistribution } from './bucket-distribution.js'
import { prometheusMetricSource } from './prometheus-metric-source.js'

const T0 = 1_700_000_000_000

interface Variant {
  readonly calls: number
  readonly errors: number
  readonly sessions: number
  /** Cumulative bucket counts by `le` (seconds). */
  readonly buckets: Readonly<Record<string, number>>
}

/** A loopback stand-in for Prometheus's /api/v1/query, answering the queries the source sends. */
async function fakePrometheus(
  variants: Record<string, Variant>,
  mode: { status: number } = { status: 200 },
  down: readonly Record<string, string>[] = [],
): Promise<{ url: string; queries: string[]; server: Server; mode: { status: number } }> {
  const queries: string[] = []
  const server = createServer((req, res) => {
    const query = new URL(req.url ?? '', 'http://x').searchParams.get('query') ?? ''
    queries.push(query)
    if (mode.status !== 200) {
      res.writeHead(mode.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'error', error: 'down' }))
      return
    }
    const result: unknown[] = []
    // The scrape-health query answers with the `up` series of the failing targets; the
    // freshness query with the newest scrape (a second ago) when there are series.
    const health = query.startsWith('up') || query.startsWith('min(timestamp(')
    if (query.startsWith('up')) {
      for (const labels of down) result.push({ metric: labels, value: [T0 / 1000, '0'] })
    }
    if (query.startsWith('min(timestamp(') && Object.keys(variants).length > 0) {
      result.push({ metric: {}, value: [T0 / 1000, String(T0 / 1000 - 1)] })
    }
    for (const [variant, v] of health ? [] : Object.entries(variants)) {
      const sample = (n: number, extra: Record<string, string> = {}): void => {
        result.push({ metric: { variant, ...extra }, value: [T0 / 1000, String(n)] })
      }
      if (query.includes('_bucket')) {
        for (const [le, n] of Object.entries(v.buckets)) sample(n, { le })
      } else if (query.includes('sessions_assigned')) sample(v.sessions)
      else if (query.includes('outcome="error"')) sample(v.errors)
      else if (query.includes('outcome="failure"')) sample(0)
      else sample(v.calls + 0.4) // increase() extrapolates: not an integer
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  servers.push(server)
  return { url: `http://127.0.0.1:${port}`, queries, server, mode }
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

const healthy = (calls: number, errors: number): Variant => ({
  calls,
  errors,
  sessions: calls / 5,
  buckets: { '0.05': calls * 0.9, '0.1': calls * 0.99, '0.25': calls, '+Inf': calls },
})

describe('bucketDistribution', () => {
  it('reports the upper bound of the bucket holding a quantile, and bounds counts', () => {
    const d = bucketDistribution([
      { upper: 50, count: 90 },
      { upper: 100, count: 9 },
      { upper: 250, count: 1 },
      { upper: Infinity, count: 0 },
    ])
    expect(d.count).toBe(100)
    expect(d.quantile(0.5)).toBe(50)
    expect(d.quantile(0.95)).toBe(100)
    expect(d.quantile(1)).toBe(250)
    expect(d.countAbove(100)).toBe(1) // only the (100, 250] bucket is certainly above
    expect(d.countAtOrAbove(60)).toBe(10) // (50, 100] may hold values ≥ 60
    expect(d.rankFromTop(1)).toEqual({ lower: 100, upper: 250 })
  })

  it('uses the highest finite bound for the +Inf bucket', () => {
    const d = bucketDistribution([
      { upper: 100, count: 1 },
      { upper: Infinity, count: 3 },
    ])
    expect(d.quantile(0.99)).toBe(100)
    expect(d.rankFromTop(1)).toEqual({ lower: 100, upper: Infinity })
  })
})

describe('prometheusMetricSource', () => {
  it('builds the judge snapshot from increase() since the stage start', async () => {
    const prom = await fakePrometheus({ v1: healthy(1000, 5), v2: healthy(100, 1) })
    const source = prometheusMetricSource({ url: prom.url, matchers: 'job="mcp"' })
    const result = await source.read('search', T0 - 90_500, T0)
    expect(result.status).toBe('ok')
    if (result.status !== 'ok') return
    expect(prom.queries).toContain(
      'sum by (variant) (increase(canarykit_tool_calls_total{flag="search",job="mcp"}[91s]))',
    )
    expect(prom.queries.some((q) => q.startsWith('sum by (le, variant)'))).toBe(true)
    // Scrape health: failing targets among those that served the flag lately.
    expect(prom.queries).toContain(
      'up{job="mcp"} == 0 and on (job, instance) group by (job, instance) (last_over_time(canarykit_tool_calls_total{flag="search",job="mcp"}[1h]))',
    )
    expect(result.unscraped).toBeUndefined()
    // Freshness: the oldest of the newest samples of the flag's series.
    expect(prom.queries).toContain(
      'min(timestamp(canarykit_tool_calls_total{flag="search",job="mcp"}))',
    )
    expect(result.sampledAt).toBe(T0 - 1000)
    const v1 = result.snapshot.variants['v1']
    expect(v1?.calls).toBe(1000)
    expect(v1?.errors).toBe(5)
    expect(v1?.sessions).toBe(200)
    expect(v1?.successes).toBe(995)
    expect(v1?.latency.count).toBe(1000)
    expect(v1?.latency.quantile(0.5)).toBe(50)
    expect(v1?.latency.quantile(0.995)).toBe(250)
    expect(result.snapshot.stage).toBe(T0 - 90_500)
  })

  it('reports unavailable for an error answer and a dead server', async () => {
    const down = await fakePrometheus({ v1: healthy(10, 0) }, { status: 503 })
    const r1 = await prometheusMetricSource({ url: down.url }).read('search', T0 - 1000, T0)
    expect(r1).toEqual({
      status: 'unavailable',
      reason: 'Prometheus unavailable: Prometheus answered 503: down',
    })
    const closed = await fakePrometheus({})
    await new Promise((r) => closed.server.close(r))
    const r2 = await prometheusMetricSource({ url: closed.url }).read('search', T0 - 1000, T0)
    expect(r2.status).toBe('unavailable')
  })

  it('reads no series (no traffic yet) as an empty sample, not as an outage', async () => {
    const empty = await fakePrometheus({})
    const result = await prometheusMetricSource({ url: empty.url }).read('search', T0 - 1000, T0)
    expect(result).toEqual({
      status: 'ok',
      snapshot: { flagKey: 'search', stage: T0 - 1000, sessionsFrom: 'assigned', variants: {} },
    })
  })

  it('names the replicas Prometheus fails to scrape; upSelector picks the series or turns it off', async () => {
    const failing = [
      { __name__: 'up', instance: '10.0.0.7:9464', job: 'mcp' },
      { __name__: 'up', instance: '10.0.0.9:9464', job: 'mcp' },
    ]
    const prom = await fakePrometheus(
      { v1: healthy(100, 0), v2: healthy(10, 0) },
      undefined,
      failing,
    )
    const source = prometheusMetricSource({
      url: prom.url,
      upSelector: 'up{job=~"mcp|mcp-canary"}',
    })
    const result = await source.read('search', T0 - 60_000, T0)
    expect(result).toMatchObject({
      status: 'ok',
      unscraped: ['10.0.0.7:9464 (mcp)', '10.0.0.9:9464 (mcp)'],
    })
    expect(prom.queries.filter((q) => q.startsWith('up'))).toEqual([
      'up{job=~"mcp|mcp-canary"} == 0 and on (job, instance) group by (job, instance) (last_over_time(canarykit_tool_calls_total{flag="search"}[1h]))',
    ])
    prom.queries.length = 0
    const off = await prometheusMetricSource({ url: prom.url, upSelector: false }).read(
      'search',
      T0 - 60_000,
      T0,
    )
    expect(off).toMatchObject({ status: 'ok' })
    expect(off.status === 'ok' && off.unscraped).toBeFalsy()
    expect(prom.queries.some((q) => q.startsWith('up'))).toBe(false)
  })
})
