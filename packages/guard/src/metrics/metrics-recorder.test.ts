import type { Outcome } from '@canarykit/core'
import { describe, expect, it } from 'vitest'
import { designEffect } from '../judge/rate-checks.js'
import { createMetricsRecorder } from './metrics-recorder.js'

const base = { flagKey: 'search', operation: 'search', overridden: false } as const

function outcome(variant: string, fields: Partial<Outcome> = {}): Outcome {
  return { ...base, variant, error: false, ...fields }
}

describe('createMetricsRecorder', () => {
  it('counts calls, errors, success verdicts, latencies and sessions per variant', () => {
    const recorder = createMetricsRecorder()
    recorder.startStage('search', 1000)
    recorder.assigned({ flagKey: 'search', variant: 'v2', unitKey: 's1', overridden: false })
    recorder.assigned({ flagKey: 'search', variant: 'v1', unitKey: 's2', overridden: false })
    recorder.assigned({ flagKey: 'search', variant: 'v1', unitKey: 's3', overridden: false })
    recorder.record(outcome('v2', { unitKey: 's1', latencyMs: 100, success: true }))
    recorder.record(outcome('v2', { unitKey: 's1', latencyMs: 300, error: true, success: false }))
    recorder.record(outcome('v1', { unitKey: 's2', latencyMs: 50 }))
    const snapshot = recorder.snapshot('search', 1000)
    expect(snapshot).toMatchObject({ flagKey: 'search', stage: 1000, sessionsFrom: 'assigned' })
    expect(snapshot.variants['v2']).toMatchObject({
      calls: 2,
      errors: 1,
      successObserved: 2,
      successes: 1,
      sessions: 1,
    })
    expect(snapshot.variants['v2']?.latency.count).toBe(2)
    expect(snapshot.variants['v2']?.latency.quantile(1)).toBeCloseTo(300, -1)
    expect(snapshot.variants['v1']).toMatchObject({
      calls: 1,
      errors: 0,
      successObserved: 0,
      sessions: 2,
    })
  })

  it('leaves out everything served through an override', () => {
    const recorder = createMetricsRecorder()
    recorder.assigned({ flagKey: 'search', variant: 'v2', unitKey: 'tester', overridden: true })
    recorder.record(outcome('v2', { unitKey: 'tester', error: true, overridden: true }))
    recorder.record(outcome('v2'))
    expect(recorder.snapshot('search').variants['v2']).toMatchObject({
      calls: 1,
      errors: 0,
      sessions: 0,
    })
    expect(recorder.footprint().overridden).toBe(2)
  })

  it('starts fresh evidence per stage and answers only for the stage asked about', () => {
    const recorder = createMetricsRecorder()
    recorder.startStage('search', 'a')
    recorder.record(outcome('v2'))
    recorder.startStage('search', 'b')
    recorder.record(outcome('v2', { error: true }))
    expect(recorder.snapshot('search', 'b').variants['v2']).toMatchObject({ calls: 1, errors: 1 })
    expect(recorder.snapshot('search', 'a')).toEqual({
      flagKey: 'search',
      stage: 'a',
      sessionsFrom: 'outcomes',
      variants: {},
    })
    expect(recorder.snapshot('unknown').variants).toEqual({})
  })

  it('snapshots are copies: later calls do not change them', () => {
    const recorder = createMetricsRecorder()
    recorder.record(outcome('v2', { latencyMs: 10 }))
    const before = recorder.snapshot('search')
    recorder.record(outcome('v2', { latencyMs: 10 }))
    expect(before.variants['v2']?.calls).toBe(1)
    expect(before.variants['v2']?.latency.count).toBe(1)
  })

  it('counts session keys seen in outcomes when no assignment events arrive', () => {
    const recorder = createMetricsRecorder()
    for (const key of ['a', 'b', 'a', 'c', 'b']) recorder.record(outcome('v2', { unitKey: key }))
    const snapshot = recorder.snapshot('search')
    expect(snapshot.sessionsFrom).toBe('outcomes')
    expect(snapshot.variants['v2']?.sessions).toBe(3)
  })

  it('keeps per-session sums that reveal correlated calls (design effect > 1)', () => {
    const correlated = createMetricsRecorder()
    const independent = createMetricsRecorder()
    // 100 sessions of 10 calls: in correlated, 5 sessions fail every call; in independent the
    // same 50 errors are spread one per session.
    for (let s = 0; s < 100; s++) {
      for (let c = 0; c < 10; c++) {
        correlated.record(outcome('v2', { unitKey: `s${s}`, error: s < 5 }))
        independent.record(outcome('v2', { unitKey: `s${s}`, error: c === 0 && s < 50 }))
      }
    }
    const c = correlated.snapshot('search').variants['v2']
    const i = independent.snapshot('search').variants['v2']
    expect(c?.errorMoments?.clusters).toBe(100)
    expect(designEffect(c?.errorMoments, 50, 1000)).toBeGreaterThan(8)
    expect(designEffect(i?.errorMoments, 50, 1000)).toBeLessThan(1.2)
  })

  it('keeps per-session counts while its session table grows', () => {
    const recorder = createMetricsRecorder()
    // 800 sessions active at once, 3 calls each, interleaved; session s fails every call when
    // s % 10 === 0.
    for (let round = 0; round < 3; round++) {
      for (let s = 0; s < 800; s++)
        recorder.record(outcome('v2', { unitKey: `s${s}`, error: s % 10 === 0 }))
    }
    const v2 = recorder.snapshot('search').variants['v2']
    // A session is split only when 5 of them share a 4-slot set; with 4,096 slots that is rare.
    expect(v2?.sessions).toBeGreaterThanOrEqual(800)
    expect(v2?.sessions).toBeLessThan(820)
    // Perfectly clustered errors: the design effect is the calls per session.
    expect(designEffect(v2?.errorMoments, 240, 2400)).toBeGreaterThan(2.8)
    expect(recorder.footprint().sessionSlots).toBe(4096)
  })

  it('drops (and counts) outcomes beyond its caps instead of growing', () => {
    const recorder = createMetricsRecorder({ maxFlags: 2, maxVariantsPerFlag: 2 })
    for (let f = 0; f < 5; f++) {
      for (let v = 0; v < 5; v++) recorder.record({ ...outcome(`v${v}`), flagKey: `flag-${f}` })
    }
    const footprint = recorder.footprint()
    expect(footprint.flags).toBe(2)
    expect(footprint.variants).toBe(4)
    expect(footprint.dropped).toBe(25 - 4)
  })

  it('never throws into the caller, whatever it is given', () => {
    const recorder = createMetricsRecorder()
    const bad = [null, undefined, 42, {}, { flagKey: 'search' }] as unknown as Outcome[]
    for (const value of bad) expect(() => recorder.record(value)).not.toThrow()
    expect(() => recorder.assigned(null as never)).not.toThrow()
    expect(() => createMetricsRecorder({ sessionSlots: 1000 })).toThrow(/power of two/)
  })

  it('stays under 10 MB after 10 million outcomes (by its own size accounting)', () => {
    const recorder = createMetricsRecorder()
    recorder.startStage('search', 1)
    // A pool of prepared outcomes of one shape (so the loop allocates nothing): two variants,
    // 8,192 sessions, latencies over five decades, some errors and failed verdicts.
    const pool: Outcome[] = []
    for (let i = 0; i < 8192; i++) {
      pool.push({
        flagKey: 'search',
        variant: i % 10 === 0 ? 'canary' : 'baseline',
        operation: 'search',
        unitKey: `session-${i}`,
        latencyMs: 0.1 * Math.pow(10, (i % 997) / 199),
        error: i % 97 === 0,
        success: i % 50 !== 0,
        overridden: false,
      })
    }
    const total = 10_000_000
    for (let i = 0; i < total; i++) recorder.record(pool[i & 8191] as Outcome)
    const footprint = recorder.footprint()
    const snapshot = recorder.snapshot('search', 1)
    const calls = Object.values(snapshot.variants).reduce((sum, v) => sum + v.calls, 0)
    expect(calls).toBe(total)
    expect(footprint.dropped).toBe(0)
    expect(footprint.flags).toBe(1)
    expect(footprint.variants).toBe(2)
    // 1 % accuracy over 0.1 ms .. 10 s needs ~600 buckets per sketch; the cap is 2048.
    expect(footprint.sketchBuckets).toBeLessThanOrEqual(2 * 2048)
    expect(footprint.sessionSlots).toBe(2 * 4096) // grown to the maximum, no further
    expect(footprint.bytes).toBeLessThanOrEqual(10 * 1024 * 1024)
  }, 60_000)
})
