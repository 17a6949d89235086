import type { Outcome } from '@canarykit/core'
import { describe, expect, it } from 'vitest'
import { createOutcomeRecorder } from './outcome-recorder.js'

const outcome = (over: Partial<Outcome>): Outcome => ({
  flagKey: 'f',
  variant: 'canary',
  operation: 'search',
  error: false,
  overridden: false,
  ...over,
})

describe('createOutcomeRecorder', () => {
  it('counts calls, errors, verdicts and sessions per flag × variant', () => {
    const recorder = createOutcomeRecorder()
    recorder.record(outcome({ latencyMs: 10, success: true }))
    recorder.record(outcome({ latencyMs: 30, error: true, success: false }))
    recorder.record(outcome({ latencyMs: 20 }))
    recorder.record(outcome({ variant: 'stable', latencyMs: 5 }))
    recorder.record(outcome({ latencyMs: 1000, overridden: true }))
    recorder.assigned({ flagKey: 'f', variant: 'canary', unitKey: 's1', overridden: false })
    recorder.assigned({ flagKey: 'f', variant: 'canary', unitKey: 's2', overridden: true })
    expect(recorder.get('f', 'canary')).toEqual({
      flagKey: 'f',
      variant: 'canary',
      calls: 3,
      errors: 1,
      successes: 1,
      judged: 2,
      overridden: 1,
      sessions: 1,
      latency: { count: 3, meanMs: 20, minMs: 10, maxMs: 30, p50Ms: 20, p99Ms: 30 },
    })
    expect(recorder.stats().map((s) => [s.variant, s.calls])).toEqual([
      ['canary', 3],
      ['stable', 1],
    ])
    expect(recorder.get('f', 'other')).toBeUndefined()
    recorder.reset()
    expect(recorder.stats()).toEqual([])
  })

  it('keeps a bounded latency window; count and mean cover every call', () => {
    const recorder = createOutcomeRecorder({ latencyWindow: 4 })
    for (let i = 1; i <= 100; i++) recorder.record(outcome({ latencyMs: i }))
    expect(recorder.get('f', 'canary')?.latency).toEqual({
      count: 100,
      meanMs: 50.5,
      minMs: 97,
      maxMs: 100,
      p50Ms: 98,
      p99Ms: 100,
    })
  })

  it('rejects a window that is not a positive integer', () => {
    expect(() => createOutcomeRecorder({ latencyWindow: 0 })).toThrow(/latencyWindow/)
  })
})
