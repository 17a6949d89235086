import { readFile, writeFile } from 'node:fs/promises'
import {
  readRollouts,
  updateRollout,
  type AuditRecord,
  type Criteria,
  type Plan,
  type RolloutRecord,
} from '@canarykit/guard'

/** The one flag the fleet canaries: which build of `search` a session gets. */
export const FLAG = 'search-v2'

/** The shared flags file before any rollout: every session on `stable`. */
export const INITIAL_FLAGS = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "${FLAG}": {
      "state": "ENABLED",
      "variants": { "stable": "v1", "canary": "v2" },
      "defaultVariant": "stable"
    }
  }
}
`

/**
 * The product's plan (1 % → 10 % → 50 % → 100 %) shortened to seconds: the stages' dwell is
 * what Prometheus needs to see them (a few scrapes), not what production needs.
 */
export const FLEET_PLAN: Plan = {
  stages: [
    { percentage: 10, minDurationS: 4 },
    { percentage: 50, minDurationS: 4 },
    { percentage: 100 },
  ],
}

/**
 * The defaults, with a test-sized sample and limits: error rate and tool success within 5
 * points (proven on about 100 calls per variant), no latency criterion (both builds answer in
 * under a millisecond, inside Prometheus's first 5 ms bucket, where nothing can be proven).
 */
export const FLEET_CRITERIA: Criteria = {
  errorRate: { maxIncrease: 0.05 },
  successRate: { maxDecrease: 0.05 },
  latency: false,
  minCallsPerVariant: 50,
  minSessionsPerVariant: 10,
}

export async function writeInitialFlags(file: string): Promise<void> {
  await writeFile(file, INITIAL_FLAGS)
}

/**
 * Starts a rollout by writing its first stage into the file, with the guard's own safe writer,
 * as `guard.start` does (the CLI has operator commands for running rollouts, not for starting
 * one). Every replica serves the 10 % split after its hot reload; the guard judges it next.
 */
export async function startRollout(file: string, actor: string, now = Date.now()): Promise<void> {
  const written = await updateRollout(file, FLAG, (current) => {
    if (current?.phase === 'running' || current?.phase === 'paused') return undefined
    return {
      flagKey: FLAG,
      baseline: 'stable',
      canary: 'canary',
      plan: FLEET_PLAN,
      criteria: FLEET_CRITERIA,
      phase: 'running',
      stage: 0,
      stageStartedAt: now,
      epoch: current?.epoch ?? 0,
      lastDecision: {
        kind: 'continue',
        reason: `started by ${actor}`,
        criterion: 'manual',
        at: now,
        actor,
      },
    }
  })
  if (written.record === undefined) throw new Error(`${FLAG} already has a rollout in ${file}`)
}

/** The flag's rollout record as the file says now (`undefined`: none, or unreadable). */
export async function rolloutOf(file: string): Promise<RolloutRecord | undefined> {
  try {
    return (await readRollouts(file)).rollouts.find((r) => r.flagKey === FLAG)
  } catch {
    return undefined // mid-write or half-written: the next poll reads it
  }
}

/** Every record of the guard's JSONL audit log, oldest first. */
export async function auditRecords(file: string): Promise<AuditRecord[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditRecord)
}
