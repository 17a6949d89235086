import { createEngine } from '@canarykit/core'
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { instrumentEngine } from './instrument-engine.js'
import { createOtelMetrics } from './otel-metrics.js'

const providers: MeterProvider[] = []
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()))
})

/** A real SDK meter whose metrics `collect()` exports on demand (no timer fires in a test). */
function sdkMeter() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const provider = new MeterProvider({ readers: [reader] })
  providers.push(provider)
  return {
    meter: provider.getMeter('test'),
    collect: async (): Promise<Map<string, MetricData>> => {
      exporter.reset()
      await reader.forceFlush()
      const metrics = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
      return new Map(metrics.map((m) => [m.descriptor.name, m]))
    },
  }
}

describe('createOtelMetrics over the real OpenTelemetry SDK', () => {
  it('records the same counters, histogram and gauges, with the Prometheus label names', async () => {
    const { meter, collect } = sdkMeter()
    const otel = createOtelMetrics({ meter })
    otel.record({
      flagKey: 'f',
      variant: 'canary',
      operation: 'search',
      latencyMs: 250,
      error: true,
      overridden: false,
    })
    otel.record({
      flagKey: 'f',
      variant: 'canary',
      operation: 'search',
      latencyMs: 40,
      error: false,
      success: false,
      overridden: false,
    })
    otel.assigned({ flagKey: 'f', variant: 'canary', unitKey: 's-1', overridden: false })
    otel.recordEvaluation({ flagKey: 'f', variant: 'canary', reason: 'TARGETING_MATCH' })
    otel.setRollout({ flagKey: 'f', percentage: 50, phase: 'running', stage: 2 })
    otel.recordDecision({ flagKey: 'f', kind: 'rollback', criterion: 'latency' })

    const metrics = await collect()
    expect([...metrics.values()].map((m) => [m.descriptor.name, m.descriptor.unit]).sort()).toEqual(
      [
        ['canarykit.flag.evaluations', '{evaluation}'],
        ['canarykit.guard.decisions', '{decision}'],
        ['canarykit.rollbacks', '{rollback}'],
        ['canarykit.rollout.phase', '{state}'],
        ['canarykit.rollout.stage', '{stage}'],
        ['canarykit.rollout.target', '1'],
        ['canarykit.sessions.assigned', '{session}'],
        ['canarykit.tool.call.duration', 's'],
        ['canarykit.tool.calls', '{call}'],
      ].sort(),
    )
    const points = (name: string) => metrics.get(name)?.dataPoints ?? []
    const value = (name: string, attributes: Record<string, string>): unknown =>
      points(name).find((p) => JSON.stringify(p.attributes) === JSON.stringify(attributes))?.value

    const call = { tool: 'search', flag: 'f', variant: 'canary' }
    expect(value('canarykit.tool.calls', { ...call, outcome: 'error' })).toBe(1)
    expect(value('canarykit.tool.calls', { ...call, outcome: 'failure' })).toBe(1)
    expect(value('canarykit.tool.calls', { ...call, outcome: 'ok' })).toBe(0)
    expect(value('canarykit.sessions.assigned', { flag: 'f', variant: 'canary' })).toBe(1)
    expect(
      value('canarykit.flag.evaluations', {
        flag: 'f',
        variant: 'canary',
        reason: 'targeting_match',
      }),
    ).toBe(1)
    expect(value('canarykit.rollout.target', { flag: 'f' })).toBe(0.5)
    expect(value('canarykit.rollout.stage', { flag: 'f' })).toBe(2)
    expect(value('canarykit.rollout.phase', { flag: 'f', phase: 'running' })).toBe(1)
    expect(value('canarykit.rollout.phase', { flag: 'f', phase: 'paused' })).toBe(0)
    expect(value('canarykit.rollbacks', { flag: 'f', criterion: 'latency' })).toBe(1)
    expect(value('canarykit.guard.decisions', { flag: 'f', decision: 'rollback' })).toBe(1)

    const duration = metrics.get('canarykit.tool.call.duration')
    expect(duration?.dataPointType).toBe(DataPointType.HISTOGRAM)
    const histogram = duration?.dataPoints[0]?.value as {
      count: number
      sum: number
      buckets: { boundaries: number[]; counts: number[] }
    }
    expect(histogram.count).toBe(2)
    expect(histogram.sum).toBeCloseTo(0.29, 12)
    // The advice reached the SDK: our tool-latency buckets, not the SDK's default.
    expect(histogram.buckets.boundaries).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
    ])
  })

  it('counts evaluations of an instrumented engine and honours prefix and buckets', async () => {
    const { meter, collect } = sdkMeter()
    const otel = createOtelMetrics({ meter, prefix: 'app.', durationBuckets: [0.5, 2] })
    const engine = instrumentEngine(createEngine(), otel)
    engine.load({
      flags: { f: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' } },
    })
    for (let i = 0; i < 3; i++) engine.evaluate('f', false, { targetingKey: `s-${i}` })
    engine.evaluate('missing', false)
    otel.record({
      flagKey: 'f',
      variant: 'on',
      operation: 't',
      latencyMs: 1000,
      error: false,
      overridden: false,
    })
    const metrics = await collect()
    const evaluations = metrics
      .get('app.flag.evaluations')
      ?.dataPoints.map((p) => [p.attributes, p.value])
    expect(evaluations).toEqual([
      [{ flag: 'f', variant: 'on', reason: 'static' }, 3],
      [{ flag: 'missing', variant: '', reason: 'error' }, 1],
    ])
    const histogram = metrics.get('app.tool.call.duration')?.dataPoints[0]?.value as {
      buckets: { boundaries: number[]; counts: number[] }
    }
    expect(histogram.buckets).toEqual({ boundaries: [0.5, 2], counts: [0, 1, 0] })
  })

  it('reports one data point per attribute set, however the reason was spelled', async () => {
    const { meter, collect } = sdkMeter()
    const otel = createOtelMetrics({ meter })
    otel.recordEvaluation({ flagKey: 'f', variant: 'on', reason: 'STATIC' })
    otel.recordEvaluation({ flagKey: 'f', variant: 'on', reason: 'static' })
    const points = (await collect()).get('canarykit.flag.evaluations')?.dataPoints
    expect(points?.map((p) => [p.attributes, p.value])).toEqual([
      [{ flag: 'f', variant: 'on', reason: 'static' }, 2],
    ])
  })

  it('works on the no-op global meter (no SDK registered)', () => {
    const otel = createOtelMetrics()
    expect(() => {
      otel.record({ flagKey: 'f', variant: 'v', operation: 't', error: false, overridden: false })
      otel.recordEvaluation({ flagKey: 'f', reason: 'STATIC' })
    }).not.toThrow()
  })
})
