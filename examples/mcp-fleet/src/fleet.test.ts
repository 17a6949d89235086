import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFleet, type Fleet } from './fleet.js'
import { callsPerReplica, lastCanaryAt, promCallsPerInstance } from './fleet-evidence.js'
import { auditRecords, FLAG, rolloutOf, startRollout } from './fleet-flags.js'
import { PROMETHEUS_BIN, prometheusAvailable } from './prometheus-process.js'
import { probe } from './traffic.js'
import { sleep, waitFor } from './wait.js'

/*
 * Fleet mode for real: 3 replica processes (real MCP servers over Streamable HTTP, canarykit on
 * one shared flags file), a real Prometheus scraping them every second, the standalone guard
 * (`canarykit guard --prometheus`) as its own process, and real MCP clients spread over the
 * replicas. Outcomes are asserted, never durations; every wait has a deadline, and `close()`
 * stops every process group and removes the temporary directory.
 */

const HAS_PROMETHEUS = prometheusAvailable()
if (!HAS_PROMETHEUS) {
  console.error(
    `\n!!! SKIPPED: the fleet end-to-end tests need a Prometheus binary at ${PROMETHEUS_BIN}` +
      ' (Debian: apt-get install prometheus; or set PROMETHEUS_BIN). CI installs it.\n',
  )
}

/** The stage index the file says, or -1 while it cannot be read. */
async function stageOf(fleet: Fleet): Promise<number> {
  return (await rolloutOf(fleet.flagsFile))?.stage ?? -1
}

/** A measured number of this run, printed with the test output. */
const report = (line: string): void => console.log(`fleet: ${line}`)

describe.skipIf(!HAS_PROMETHEUS)('a healthy canary across the fleet', () => {
  let fleet: Fleet

  beforeAll(async () => {
    fleet = await startFleet({ canary: 'healthy' })
    // Every replica serves and is scraped before the rollout starts.
    await waitFor('traffic on every replica', () => lastServed(fleet).every((n) => n > 20), 15_000)
  }, 60_000)

  afterAll(async () => {
    await fleet?.close()
  }, 60_000)

  it('resumes from the file at the same stage when the guard is killed (SIGKILL) and restarted', async () => {
    await startRollout(fleet.flagsFile, 'test')
    const first = fleet.guard()
    const mark = first.stdout().length
    await first.waitForLine(new RegExp(` ${FLAG} {2}\\w+ {2}.* at 10 %`), 15_000, mark)
    first.kill('SIGKILL')
    expect(await first.exited).toBeNull() // killed, not exited
    const before = await rolloutOf(fleet.flagsFile)
    expect(before).toMatchObject({ phase: 'running', stage: 0 })
    // Nobody judges for 2 s: nothing moves.
    await sleep(2000)
    expect(await rolloutOf(fleet.flagsFile)).toEqual(before)

    const second = fleet.restartGuard()
    await second.waitForLine(/^guarding flags\.json/, 30_000)
    const resumed = await second.waitForLine(new RegExp(` ${FLAG} {2}\\w+ {2}.* at \\d+ %`), 15_000)
    expect(resumed).toMatch(/ at 10 %/)
    await waitFor(
      'the restarted guard to proceed to 50 %',
      async () => (await stageOf(fleet)) === 1,
      30_000,
    )
    const after = await rolloutOf(fleet.flagsFile)
    expect(after).toMatchObject({
      phase: 'running',
      stage: 1,
      lastDecision: { kind: 'proceed', actor: 'guard' },
    })
    expect(second.stderr()).not.toMatch(/^(warning|error):(?! canarykit: `)/m)
  }, 90_000)

  it('holds through a Prometheus outage at 50 % (alert after the grace, no promotion), then goes on', async () => {
    const guard = fleet.guard()
    const stage = await rolloutOf(fleet.flagsFile)
    expect(stage).toMatchObject({ phase: 'running', stage: 1 })
    await fleet.prometheus.stop()
    const stoppedAt = Date.now()
    const mark = guard.stdout().length
    const held = await guard.waitForLine(/ hold {2}holding: Prometheus unavailable/, 15_000, mark)
    expect(held).toContain(`${FLAG}  hold  holding: Prometheus unavailable:`)
    const alert = await waitFor(
      'the metrics-unavailable alert',
      () => fleet.webhook.received.find((m) => m.canarykit.kind === 'metrics-unavailable'),
      20_000,
    )
    // Down past the stage's 4 s dwell: a healthy canary, due to complete, yet nothing moves.
    const seen = new Set<number>()
    while (Date.now() < stoppedAt + 8000) {
      seen.add(await stageOf(fleet))
      await sleep(200)
    }
    expect([...seen]).toEqual([1])

    await fleet.prometheus.start()
    const restored = await waitFor(
      'the metrics-restored alert',
      () => fleet.webhook.received.find((m) => m.canarykit.kind === 'metrics-restored'),
      20_000,
    )
    await waitFor(
      'completion after the outage',
      async () => (await rolloutOf(fleet.flagsFile))?.phase === 'completed',
      30_000,
    )
    // Every judgement from the outage on held (unavailable, then stale until Prometheus scraped
    // again), until the one that completed on fresh metrics.
    const lines = guard.stdout().slice(mark).trim().split('\n')
    expect(lines.length).toBeGreaterThanOrEqual(8)
    expect(lines.slice(0, -1).every((line) => line.includes(`${FLAG}  hold  holding`))).toBe(true)
    expect(lines.at(-1)).toContain(`${FLAG}  complete  completing at 100 %`)
    expect(alert.canarykit).toMatchObject({ level: 'warning', flagKey: FLAG, percentage: 50 })
    expect(alert.text).toMatch(
      /^:warning: canarykit: `search-v2`: metrics unusable for \d+ s \(Prometheus unavailable: /,
    )
    expect(restored.canarykit).toMatchObject({ level: 'info', flagKey: FLAG })
    expect(
      fleet.webhook.received.filter((m) => m.canarykit.kind === 'metrics-unavailable'),
    ).toHaveLength(1)
    const stale = lines.filter((line) => line.includes('metrics are stale')).length
    report(
      `outage alert ${((alert.receivedAt - stoppedAt) / 1000).toFixed(1)} s after Prometheus stopped (grace 3 s); ${stale} checks held on stale metrics after its restart`,
    )
  }, 90_000)

  it('completed at 100 % on every replica, judged on the calls of all of them', async () => {
    const record = await rolloutOf(fleet.flagsFile)
    expect(record).toMatchObject({ phase: 'completed', stage: 2 })
    // New sessions on every replica get the canary.
    for (const replica of fleet.replicas) {
      const variants = await Promise.all(Array.from({ length: 4 }, () => probe(replica.url, 1)))
      expect(variants.flat()).toEqual(['canary', 'canary', 'canary', 'canary'])
    }
    const audit = await auditRecords(fleet.auditFile)
    expect(audit.map((r) => `${r.action} ${r.actor} ${r.percentage}`)).toEqual([
      'proceed guard 50',
      'metrics-unavailable guard 50',
      'metrics-restored guard 50',
      'complete guard 100',
    ])
    expect(fleet.webhook.received.map((m) => `${m.canarykit.kind}/${m.canarykit.level}`)).toEqual([
      'proceed/info',
      'metrics-unavailable/warning',
      'metrics-restored/info',
      'complete/info',
    ])
    // The decision to proceed counted calls served by every replica, not by one: its window
    // (from the restarted guard's first look, at least the 4 s dwell) holds the last 4 s.
    const proceed = audit[0]
    const judged = (proceed?.numbers?.baseline.calls ?? 0) + (proceed?.numbers?.canary.calls ?? 0)
    const to = Date.parse(proceed?.at ?? '')
    const served = callsPerReplica(fleet.traffic.calls, fleet.replicas.length, to - 4000, to)
    expect(served.every((n) => n > 0)).toBe(true)
    expect(judged).toBeGreaterThan(Math.max(...served))
    // Prometheus holds every replica's calls of the flag.
    const perInstance = await promCallsPerInstance(fleet.prometheus.url, 60)
    expect(Object.keys(perInstance).sort()).toEqual(fleet.replicas.map((r) => r.target).sort())
    expect(Object.values(perInstance).every((n) => n > 0)).toBe(true)
    const completed = audit[3]?.numbers
    report(
      `proceed judged ${judged} calls; replicas served ${served.join(' + ')} in its last 4 s; completion judged ${(completed?.baseline.calls ?? 0) + (completed?.canary.calls ?? 0)} calls`,
    )
  }, 60_000)
})

describe.skipIf(!HAS_PROMETHEUS)('a failing canary across the fleet', () => {
  let fleet: Fleet

  beforeAll(async () => {
    fleet = await startFleet({ canary: 'failing' })
    await waitFor('traffic on every replica', () => lastServed(fleet).every((n) => n > 20), 15_000)
  }, 60_000)

  afterAll(async () => {
    await fleet?.close()
  }, 60_000)

  it('is rolled back on every replica: the file, the webhook, the audit log, then only the baseline served', async () => {
    const startedAt = Date.now()
    await startRollout(fleet.flagsFile, 'test')
    const calls = fleet.traffic.calls
    const firstBad = await waitFor(
      'the first canary call',
      () => calls.find((c) => c.at >= startedAt && c.variant === 'canary'),
      10_000,
      20,
    )
    const record = await waitFor(
      'the rollback in the flags file',
      async () => {
        const r = await rolloutOf(fleet.flagsFile)
        return r?.phase === 'rolled-back' ? r : undefined
      },
      30_000,
    )
    expect(record).toMatchObject({
      epoch: 1,
      lastDecision: { kind: 'rollback', actor: 'guard', criterion: 'error-rate' },
    })
    const rolledBackAt = record.lastDecision?.at ?? 0

    // Every replica, after its hot reload: the rollback moves even pinned sessions to stable.
    const settle = rolledBackAt + 1000
    await waitFor(
      '100 calls per replica after the rollback',
      () => callsPerReplica(calls, fleet.replicas.length, settle, Infinity).every((n) => n >= 100),
      20_000,
    )
    const late = calls.filter((c) => c.at >= settle)
    expect(late.filter((c) => c.variant !== 'stable')).toEqual([])
    for (const replica of fleet.replicas) {
      expect(await probe(replica.url, 3)).toEqual(['stable', 'stable', 'stable'])
    }
    const allBaselineAt = Math.max(...lastCanaryAt(calls, fleet.replicas.length))

    const alert = await waitFor(
      'the rollback alert',
      () => fleet.webhook.received.find((m) => m.canarykit.kind === 'rollback'),
      10_000,
    )
    expect(alert.canarykit).toMatchObject({
      level: 'critical',
      flagKey: FLAG,
      criterion: 'error-rate',
      percentage: 0,
    })
    expect(alert.text).toMatch(
      /^:rotating_light: canarykit: `search-v2`: rolling back at 10 %: error rate: /,
    )
    const audit = await waitFor(
      'the rollback audit record',
      async () => (await auditRecords(fleet.auditFile)).find((r) => r.action === 'rollback'),
      10_000,
    )
    expect(audit).toMatchObject({
      actor: 'guard',
      phase: 'rolled-back',
      percentage: 0,
      from: { percentage: 10 },
    })
    expect(audit.numbers?.canary.errors).toBeGreaterThan(0)
    expect(audit.numbers?.baseline.errors).toBe(0)
    expect(fleet.guard().stdout()).toMatch(
      new RegExp(` ${FLAG} {2}rollback {2}rolling back at 10 %`),
    )

    const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
    report(
      `bad traffic → rollback decision in the file ${s(rolledBackAt - firstBad.at)}; → last canary call on any replica ${s(allBaselineAt - firstBad.at)} (the last one ${s(Math.max(0, allBaselineAt - rolledBackAt))} after the decision)`,
    )
  }, 90_000)
})

/** Calls each replica served so far. */
function lastServed(fleet: Fleet): number[] {
  return callsPerReplica(fleet.traffic.calls, fleet.replicas.length, 0, Infinity)
}
