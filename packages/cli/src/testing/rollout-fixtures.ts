import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createEngine, type EvaluationContext } from '@canarykit/core'

const PLAN = {
  stages: [
    { percentage: 1, minDurationS: 600 },
    { percentage: 10, minDurationS: 1800 },
    { percentage: 50, minDurationS: 3600 },
    { percentage: 100 },
  ],
}

const split = (canary: number) => ({
  fractional: [
    ['canary', canary * 100],
    ['stable', 10_000 - canary * 100],
  ],
})

/**
 * A flags file as the guard leaves it mid-flight, with `now` as the reference time:
 * - `new-search`: running at stage 2 of 4 (10 %), started 60 s ago, beta users get the canary;
 * - `checkout`: paused at 1 % by alice;
 * - `legacy`: rolled back by the guard (targeting removed, kept in the record);
 * - `plain`: a flag without a rollout.
 */
export function rolloutsDocument(now: number) {
  const iso = (ms: number) => new Date(ms).toISOString()
  const variants = { stable: 'v1', canary: 'v2' }
  return {
    $schema: 'https://flagd.dev/schema/v0/flags.json',
    flags: {
      'new-search': {
        state: 'ENABLED',
        variants,
        defaultVariant: 'stable',
        targeting: { if: [{ '===': [{ var: 'beta' }, true] }, 'canary', split(10)] },
        metadata: { 'canarykit.pinEpoch': 0 },
      },
      checkout: {
        state: 'ENABLED',
        variants,
        defaultVariant: 'stable',
        targeting: split(1),
        metadata: { 'canarykit.pinEpoch': 2 },
      },
      legacy: {
        state: 'ENABLED',
        variants,
        defaultVariant: 'stable',
        metadata: { 'canarykit.pinEpoch': 1 },
      },
      plain: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
    },
    canarykit: {
      rollouts: {
        'new-search': {
          baseline: 'stable',
          canary: 'canary',
          phase: 'running',
          stage: 1,
          stageStartedAt: iso(now - 60_000),
          epoch: 0,
          plan: PLAN,
          criteria: {},
          lastDecision: {
            kind: 'proceed',
            reason: 'proceeding to 10 %: 10m0s dwell passed, no criterion failing',
            at: iso(now - 60_000),
            actor: 'guard',
          },
        },
        checkout: {
          baseline: 'stable',
          canary: 'canary',
          phase: 'paused',
          stage: 0,
          stageStartedAt: iso(now - 120_000),
          epoch: 2,
          plan: PLAN,
          criteria: {},
          lastDecision: {
            kind: 'hold',
            reason: 'paused by alice: INC-42',
            criterion: 'manual',
            at: iso(now - 30_000),
            actor: 'alice',
          },
        },
        legacy: {
          baseline: 'stable',
          canary: 'canary',
          phase: 'rolled-back',
          stage: 2,
          stageStartedAt: iso(now - 600_000),
          epoch: 1,
          plan: PLAN,
          criteria: {},
          lastDecision: {
            kind: 'rollback',
            reason: 'rolling back: error rate +2.1 pp over the baseline',
            criterion: 'error-rate',
            at: iso(now - 300_000),
            actor: 'guard',
          },
          originalTargeting: split(50),
        },
      },
    },
  }
}

type JsonRecord = Record<string, unknown>

/** A flags file as the tests look at it. */
export interface FlagsFileJson {
  readonly flags: Record<string, JsonRecord>
  readonly canarykit?: { readonly rollouts?: Record<string, JsonRecord> }
}

/** The file as JSON. */
export async function readJson(dir: string, name: string): Promise<FlagsFileJson> {
  return JSON.parse(await readFile(join(dir, name), 'utf8')) as FlagsFileJson
}

/** How many of `units` sessions core serves each variant of `flagKey` from the file on disk. */
export async function servedCounts(
  dir: string,
  name: string,
  flagKey: string,
  units = 2000,
  extra: EvaluationContext = {},
): Promise<Record<string, number>> {
  const engine = createEngine()
  engine.load(await readFile(join(dir, name), 'utf8'), { source: name })
  const counts: Record<string, number> = {}
  for (let i = 0; i < units; i++) {
    const { variant = 'none' } = engine.resolveVariant(flagKey, {
      targetingKey: `session-${i}`,
      ...extra,
    })
    counts[variant] = (counts[variant] ?? 0) + 1
  }
  return counts
}
