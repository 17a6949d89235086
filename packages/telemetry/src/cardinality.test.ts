import { createEngine } from '@canarykit/core'
import { createCanaryRouter, type RequestExtra } from '@canarykit/mcp'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { FLAG, rolloutDocument, TOOL } from '../test/mcp-traffic.js'
import { instrumentEngine } from './instrument-engine.js'
import { createPrometheusMetrics } from './prometheus-metrics.js'

/** Every exported sample line (histogram buckets included): what Prometheus would store. */
async function seriesCount(registry: Registry): Promise<number> {
  const text = await registry.metrics()
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length
}

async function total(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name)
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0)
}

describe('cardinality is bounded by configuration, not by traffic', () => {
  it('100,000 unique sessions through the real router add no series', async () => {
    const metrics = createPrometheusMetrics()
    const engine = instrumentEngine(createEngine(), metrics)
    engine.load(rolloutDocument(50))
    const router = createCanaryRouter({ evaluator: engine, sinks: [metrics] })
    const hit: CallToolResult = { content: [{ type: 'text', text: 'hit' }] }
    type Search = (args: { q: string }, extra: RequestExtra) => Promise<CallToolResult>
    const canary: Search = () => Promise.resolve(hit)
    const search = router.tool({ name: TOOL, flag: FLAG, variants: { stable: canary, canary } })
    const signal = new AbortController().signal
    const call = (i: number): Promise<CallToolResult> =>
      search({ q: `query ${i}` }, {
        signal,
        requestId: i,
        sessionId: `session-${i}`,
      } as RequestExtra)

    for (let i = 0; i < 1_000; i++) await call(i)
    const before = await seriesCount(metrics.registry)
    for (let i = 1_000; i < 100_000; i++) await call(i)
    const after = await seriesCount(metrics.registry)

    expect(after).toBe(before)
    // Nothing was dropped: every session and call is counted, in the same few series.
    expect(await total(metrics.registry, 'canarykit_sessions_assigned_total')).toBe(100_000)
    expect(await total(metrics.registry, 'canarykit_tool_calls_total')).toBe(100_000)
    expect(await total(metrics.registry, 'canarykit_flag_evaluations_total')).toBe(100_000)
    const text = await metrics.registry.metrics()
    expect(text).not.toContain('session-')
    expect(text).not.toContain('query ')
  })

  it('folds a flood of unexpected label values into "other" past the per-metric limit', async () => {
    const warnings: string[] = []
    const metrics = createPrometheusMetrics({
      maxSeriesPerMetric: 100,
      logger: { warn: (line) => warnings.push(line) },
    })
    for (let i = 0; i < 100_000; i++) {
      metrics.record({
        flagKey: `flag-${i}`,
        variant: `variant-${i}`,
        operation: `tool-${i}`,
        latencyMs: 1,
        error: false,
        overridden: false,
      })
      metrics.recordEvaluation({ flagKey: `flag-${i}`, variant: `v-${i}`, reason: `R${i}` })
      metrics.assigned({ flagKey: 'f', variant: `v-${i}`, unitKey: `u-${i}`, overridden: false })
      metrics.recordDecision({ flagKey: `flag-${i}`, kind: `kind-${i}`, criterion: `c-${i}` })
    }
    const json = await metrics.registry.getMetricsAsJSON()
    for (const metric of json) {
      const combos = new Set(
        metric.values.map((v) => {
          const { le: _le, ...labels } = v.labels
          return JSON.stringify(labels)
        }),
      )
      // Tool calls keep three outcomes per (tool, flag, variant); the rest one per combination.
      const perCombination = metric.name === 'canarykit_tool_calls_total' ? 3 : 1
      expect(combos.size, metric.name).toBeLessThanOrEqual(101 * perCombination)
    }
    expect(await total(metrics.registry, 'canarykit_tool_calls_total')).toBe(100_000)
    expect(await metrics.registry.metrics()).toContain(
      'canarykit_tool_calls_total{tool="other",flag="other",variant="other",outcome="ok"}',
    )
    // One warning per metric that folded, not one per value.
    expect(warnings.length).toBeGreaterThan(0)
    expect(warnings.length).toBeLessThanOrEqual(9)
    expect(warnings[0]).toContain('reached 100 label combinations')
  })

  it('folds absurdly long label values', async () => {
    const metrics = createPrometheusMetrics()
    metrics.recordEvaluation({ flagKey: 'f', variant: 'x'.repeat(10_000), reason: 'STATIC' })
    expect(await metrics.registry.metrics()).toContain(
      'canarykit_flag_evaluations_total{flag="f",variant="other",reason="static"} 1',
    )
  })
})
