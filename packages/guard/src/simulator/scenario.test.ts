import { readdirSync, readFileSync } from 'node:fs'
import { isFlagsError } from '@canarykit/core'
import { describe, expect, it } from 'vitest'
import { DEFAULT_PLAN } from '../stages/plan.js'
import { parseScenario } from './scenario.js'

const SCENARIOS = new URL('../../scenarios/', import.meta.url)

describe('parseScenario', () => {
  it('fills in defaults; the canary defaults to the baseline (A/A)', () => {
    const scenario = parseScenario({ baseline: { errorRate: 0.02 } })
    expect(scenario).toEqual({
      name: 'scenario',
      durationS: 14400,
      checkIntervalS: 5,
      traffic: { rps: 100, callsPerSession: 10, sessionDurationS: 0 },
      baseline: { errorRate: 0.02, successRate: 0.98, latencyMs: { p50: 120, p99: 400 } },
      canary: { errorRate: 0.02, successRate: 0.98, latencyMs: { p50: 120, p99: 400 } },
      canaryChanges: [],
      plan: DEFAULT_PLAN,
      criteria: {},
    })
  })

  it('accepts the schema of the issue, with changes sorted by time', () => {
    const scenario = parseScenario({
      name: 'error-regression',
      durationS: 3600,
      checkIntervalS: 10,
      traffic: { rps: 50, callsPerSession: 4, sessionDurationS: 30 },
      canary: { errorRate: 0.1, latencyMs: { p50: 100, p99: 900 } },
      canaryChanges: [
        { atS: 2400, errorRate: 0.05 },
        { atS: 600, latencyMs: { p99: 1200 } },
      ],
      plan: { stages: [{ percentage: 5, minDurationS: 60 }, { percentage: 100 }] },
      criteria: { errorRate: { maxRatio: 1.5 } },
    })
    expect(scenario.canary).toEqual({
      errorRate: 0.1,
      successRate: 0.98,
      latencyMs: { p50: 100, p99: 900 },
    })
    expect(scenario.canaryChanges).toEqual([
      { atS: 600, latencyMs: { p99: 1200 } },
      { atS: 2400, errorRate: 0.05 },
    ])
    expect(scenario.traffic.sessionDurationS).toBe(30)
  })

  it('lists every problem with its JSON path', () => {
    try {
      parseScenario(
        {
          durationS: -1,
          traffic: { rps: 'many' },
          baseline: { errorRate: 2, latencyMs: { p50: 100, p99: 50 } },
          canaryChanges: [{ errorRate: 0.1 }],
          plan: { stages: [] },
          criteria: { alpha: 3 },
        },
        'bad.json',
      )
      expect.unreachable()
    } catch (error) {
      expect(isFlagsError(error) && error.code === 'INVALID_CONFIG').toBe(true)
      expect(isFlagsError(error) && error.message).toMatch(/bad\.json/)
      expect(isFlagsError(error) ? error.issues.map((i) => i.path) : []).toEqual([
        '/baseline/latencyMs/p99',
        '/baseline/errorRate',
        '/canaryChanges/0/atS',
        '/plan/stages',
        '/criteria/alpha',
        '/durationS',
        '/traffic/rps',
      ])
    }
  })

  it('reads every shipped scenario', () => {
    const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.json'))
    expect(files.sort()).toEqual([
      'aa.json',
      'error-regression.json',
      'late-regression.json',
      'latency-tail-regression.json',
      'low-traffic.json',
      'success-drop.json',
    ])
    for (const file of files) {
      const scenario = parseScenario(
        JSON.parse(readFileSync(new URL(file, SCENARIOS), 'utf8')),
        file,
      )
      expect(`${scenario.name}.json`).toBe(file)
    }
  })
})
