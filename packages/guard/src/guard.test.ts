import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { writeFile } from 'node:fs/promises'
import { createEngine, isFlagsError } from '@canarykit/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRolloutGuard } from './guard.js'
import { createFakeLogic } from './testing/fake-logic.js'
import { createHarness, FLAGS, T0, type Harness } from './testing/guard-harness.js'

let h: Harness

beforeEach(async () => {
  h = await createHarness()
})

afterEach(async () => {
  await h.cleanup()
})

const ALICE = { actor: 'alice', reason: 'ship v2 search' }
const MIN = 60_000

describe('createRolloutGuard: the automatic walk', () => {
  it('walks the default plan 1 → 10 → 50 → 100 %, writing each stage into the file', async () => {
    const logic = createFakeLogic()
    const guard = h.guard(logic)
    const started = await guard.start('new-search', {
      baseline: 'stable',
      canary: 'canary',
      ...ALICE,
    })
    expect(started).toMatchObject({ phase: 'running', stage: 0, percentage: 1, stages: 4 })
    expect((await h.flag())['targeting']).toEqual({
      fractional: [
        ['canary', 100],
        ['stable', 9900],
      ],
    })
    expect(h.canaryShare()).toBeLessThan(3) // the engine was reloaded with the written file

    const shares: number[] = []
    for (const minutes of [5, 5, 30, 60]) {
      h.now += minutes * MIN
      await guard.tick()
      const targeting = (await h.flag())['targeting'] as { fractional: [string, number][] }
      shares.push((targeting.fractional[0]?.[1] ?? 0) / 100)
    }
    expect(shares).toEqual([1, 10, 50, 100])
    expect(await h.rollout()).toMatchObject({
      phase: 'completed',
      stage: 3,
      lastDecision: { kind: 'complete', actor: 'guard' },
    })
    expect(h.canaryShare()).toBe(100)
    // Evidence restarted at every stage, at the moment it began.
    expect(logic.started.map((s) => [s.stage, (s.at - T0) / MIN])).toEqual([
      [0, 0],
      [1, 10],
      [2, 40],
    ])

    await guard.close()
    const audit = await h.audit()
    expect(audit.map((a) => [a.action, a.actor, a.percentage])).toEqual([
      ['start', 'alice', 1],
      ['proceed', 'guard', 10],
      ['proceed', 'guard', 50],
      ['complete', 'guard', 100],
    ])
    expect(audit[1]).toMatchObject({
      from: { stage: 0, percentage: 1 },
      numbers: { baseline: { calls: 1000 } },
    })
    expect(h.alerts.map((a) => `${a.level}:${a.kind}`)).toEqual([
      'info:start',
      'info:proceed',
      'info:proceed',
      'info:complete',
    ])
    // Completed rollouts are not judged any more.
    const steps = logic.stepped.length
    await h.guard(logic).tick()
    expect(logic.stepped.length).toBe(steps)
  })

  it('rolls back in order: kill switch, then the file, then the alert, then the audit record', async () => {
    const sequence: string[] = []
    const logic = createFakeLogic((decision) => {
      if (decision.kind !== 'rollback') return
      sequence.push('decision')
      // The first evaluation after the decision (next microtask) must already see the baseline.
      queueMicrotask(() =>
        sequence.push(
          `next evaluation: ${h.engine.resolveVariant('new-search', { targetingKey: canaryKey }).variant}`,
        ),
      )
    })
    const engine = h.engine
    const spy = {
      override(flagKey: string, variant: string | null) {
        const onDisk = JSON.parse(readFileSync(h.file, 'utf8')) as {
          canarykit: { rollouts: Record<string, { phase: string }> }
        }
        sequence.push(`override ${variant} (file: ${onDisk.canarykit.rollouts[flagKey]?.phase})`)
        engine.override(flagKey, variant)
      },
      load: (text: string) => engine.load(text),
    }
    const guard = h.guard(logic, {
      engine: spy,
      writeHooks: { beforeRename: () => void sequence.push('file write') },
      alerts: {
        onAlert: (alert) => {
          const onDisk = readFileSync(h.file, 'utf8').includes('"phase": "rolled-back"')
          const audited = readFileSync(h.auditFile, 'utf8').includes('"action":"rollback"')
          sequence.push(`alert ${alert.kind} (file rolled back: ${onDisk}, audited: ${audited})`)
        },
      },
    })
    await guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    sequence.length = 0
    h.now += 11 * MIN
    await guard.tick() // → 10 %
    const canaryKey = findKey(h, 'canary')
    sequence.length = 0
    logic.script = () => ({
      kind: 'rollback',
      reason: 'error rate +9.0 pp over baseline (limit +0.5 pp)',
      criterion: 'error-rate',
    })
    h.now += MIN
    await guard.tick()
    await guard.close()
    expect(sequence).toEqual([
      'decision',
      'override stable (file: running)',
      'next evaluation: stable',
      'file write',
      'alert rollback (file rolled back: true, audited: false)',
    ])
    const audit = await h.audit()
    expect(audit.at(-1)).toMatchObject({
      action: 'rollback',
      kind: 'rollback',
      actor: 'guard',
      criterion: 'error-rate',
      reason: 'error rate +9.0 pp over baseline (limit +0.5 pp)',
      phase: 'rolled-back',
      percentage: 0,
      from: { stage: 1, percentage: 10, phase: 'running' },
      persisted: true,
      numbers: { canary: { errors: 30 } },
    })
    const flag = await h.flag()
    expect(flag['targeting']).toBeUndefined()
    expect(flag['defaultVariant']).toBe('stable')
    expect(flag['metadata']).toEqual({ 'canarykit.pinEpoch': 1 })
    // Another replica reading only the file serves only the baseline.
    const replica = createEngine()
    replica.load(await h.text())
    expect(h.canaryShare(replica)).toBe(0)
  })

  it('after a restart resumes the stage from the file, with fresh evidence and dwell', async () => {
    const first = h.guard()
    await first.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    h.now += 10 * MIN
    await first.tick() // → 10 % at T0 + 10 min
    await first.close()

    h.now += 20 * MIN // the process was down; 20 of the stage's 30 minutes have passed
    const logic = createFakeLogic()
    const second = h.guard(logic)
    await second.tick()
    expect(logic.started).toEqual([{ flagKey: 'new-search', stage: 1, at: h.now }])
    expect(logic.stepped[0]).toMatchObject({ stage: 1, stageStartedAt: h.now })
    const [status] = await second.status()
    expect(status).toMatchObject({
      phase: 'running',
      stage: 1,
      percentage: 10,
      waitingFor: 'dwell: 1800 s left at 10 %',
    })
    h.now += 29 * MIN
    await second.tick()
    expect((await h.rollout())?.['stage']).toBe(1)
    h.now += MIN
    await second.tick()
    expect((await h.rollout())?.['stage']).toBe(2)
  })

  it('a rolled-back flag stays rolled back after a restart', async () => {
    const logic = createFakeLogic()
    const first = h.guard(logic)
    await first.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    logic.script = () => ({ kind: 'rollback', reason: 'p99 +40 %', criterion: 'latency' })
    await first.tick()
    await first.close()

    const engine = createEngine() // a fresh process: no in-memory override
    engine.load(await h.text())
    expect(engine.overrides().size).toBe(0)
    expect(h.canaryShare(engine)).toBe(0)
    const fresh = createFakeLogic()
    const second = h.guard(fresh, { engine })
    await second.tick()
    expect(fresh.stepped).toEqual([])
    expect(await second.status()).toMatchObject([
      {
        phase: 'rolled-back',
        percentage: 0,
        lastAction: { kind: 'rollback', reason: 'p99 +40 %' },
      },
    ])
    expect(h.canaryShare(engine)).toBe(0)
  })
})

describe('createRolloutGuard: alerts', () => {
  it('throws every kill switch of a check before any file write', async () => {
    await h.cleanup()
    h = await createHarness(
      FLAGS.replace(
        '"flags": {',
        '"flags": {\n    "checkout": { "state": "ENABLED", "variants": { "old": 1, "new": 2 }, "defaultVariant": "old" },',
      ),
    )
    const sequence: string[] = []
    const logic = createFakeLogic()
    const guard = h.guard(logic, {
      engine: {
        override: (flagKey, variant) => {
          sequence.push(`override ${flagKey}`)
          h.engine.override(flagKey, variant)
        },
      },
      writeHooks: { beforeRename: () => void sequence.push('file write') },
    })
    await guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    await guard.start('checkout', { baseline: 'old', canary: 'new', ...ALICE })
    sequence.length = 0
    logic.script = () => ({ kind: 'rollback', reason: 'bad' })
    await guard.tick()
    expect(sequence).toEqual([
      'override new-search',
      'override checkout',
      'file write',
      'file write',
    ])
    expect((await guard.status()).map((s) => s.phase)).toEqual(['rolled-back', 'rolled-back'])
  })

  it('POSTs a Slack-compatible rollback alert to the webhook, and close() waits for it', async () => {
    const bodies: Record<string, unknown>[] = []
    let failures = 1
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      req.on('end', () => {
        if (failures-- > 0) return void res.writeHead(503).end()
        bodies.push(JSON.parse(body) as Record<string, unknown>)
        res.writeHead(200).end('ok')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack`
      const logic = createFakeLogic()
      const guard = h.guard(logic, {
        alerts: { webhook: { url, backoffMs: 1, minLevel: 'warning' } },
      })
      await guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
      logic.script = () => ({
        kind: 'rollback',
        reason: 'error rate +9 pp',
        criterion: 'error-rate',
      })
      await guard.tick()
      await guard.close()
      expect(bodies).toHaveLength(1) // the info-level start alert was filtered out
      expect(bodies[0]?.['text']).toBe(
        ':rotating_light: canarykit: `new-search`: error rate +9 pp. Every new evaluation now gets `stable`.',
      )
      expect(bodies[0]?.['canarykit']).toMatchObject({
        level: 'critical',
        kind: 'rollback',
        flagKey: 'new-search',
        criterion: 'error-rate',
        actor: 'guard',
        percentage: 0,
        persisted: true,
        numbers: { baseline: { calls: 1000 }, canary: { errors: 30 } },
      })
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('createRolloutGuard: a human editing the file', () => {
  it('keeps a human edit that races a guard write, and the guard write too', async () => {
    let raced = false
    const guard = h.guard(undefined, {
      writeHooks: {
        beforeRename: async () => {
          if (raced) return
          raced = true
          await writeFile(
            h.file,
            (await h.text()).replace('"defaultVariant": "off"', '"defaultVariant": "on"'),
          )
        },
      },
    })
    await guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    const text = await h.text()
    expect(text).toContain('"defaultVariant": "on"')
    expect(text).toContain('"fractional": [["canary", 100], ["stable", 9900]]')
  })

  it('does not overwrite an invalid file: holds, alerts once, keeps serving the last good config', async () => {
    const logic = createFakeLogic()
    const guard = h.guard(logic)
    await guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    const good = await h.text()
    const broken = good.replace(
      '"state": "ENABLED",\n      "variants": { "stable"',
      '"state": "ENABLED"\n      "variants": { "stable"',
    )
    await writeFile(h.file, broken)
    h.now += 11 * MIN // dwell passed: the logic says proceed
    await guard.tick()
    await guard.tick()
    expect(await h.text()).toBe(broken)
    expect(h.alerts.filter((a) => a.kind === 'config-invalid')).toHaveLength(1)
    expect(h.alerts.at(-1)?.text).toContain('invalid JSON')
    expect(h.canaryShare()).toBeLessThan(3) // still the last good 1 %

    // A regression while the file is broken: the kill switch still works; the write waits.
    logic.script = () => ({ kind: 'rollback', reason: 'error rate', criterion: 'error-rate' })
    await guard.tick()
    expect(h.canaryShare()).toBe(0)
    expect(await h.text()).toBe(broken)
    expect(h.alerts.at(-1)).toMatchObject({ kind: 'rollback', level: 'critical', persisted: false })
    expect(h.alerts.at(-1)?.text).toContain('could NOT be rewritten')
    expect(await guard.status()).toMatchObject([{ phase: 'rolled-back', pendingWrite: true }])

    await writeFile(h.file, good) // the human fixes the file
    await guard.tick()
    expect(await h.rollout()).toMatchObject({ phase: 'rolled-back', epoch: 1 })
    expect((await h.flag())['targeting']).toBeUndefined()
    expect(h.alerts.at(-1)).toMatchObject({ kind: 'rollback', level: 'info', persisted: true })
    await guard.close()
    expect((await h.audit()).map((a) => [a.action, a.persisted])).toEqual([
      ['start', true],
      ['rollback', false],
    ])
  })
})

describe('createRolloutGuard: manual control', () => {
  it('promote, pause, resume and rollback, each audited with who and why', async () => {
    const logic = createFakeLogic()
    const guard = h.guard(logic)
    await guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    expect(await guard.promote('new-search', { actor: 'bob', reason: 'looks good' })).toMatchObject(
      { stage: 1, percentage: 10 },
    )
    const paused = await guard.pause('new-search', { actor: 'carol', reason: 'incident 42' })
    expect(paused).toMatchObject({
      phase: 'paused',
      percentage: 10,
      waitingFor: 'resume (paused by carol: incident 42)',
    })
    h.now += 60 * MIN
    const steps = logic.stepped.length
    await guard.tick()
    expect(logic.stepped.length).toBe(steps) // paused rollouts are not judged
    expect(h.canaryShare()).toBeGreaterThan(5) // and keep their share

    await guard.resume('new-search', { actor: 'carol', reason: 'incident over' })
    expect(logic.started.at(-1)).toEqual({ flagKey: 'new-search', stage: 1, at: h.now })
    expect(
      await guard.promote('new-search', { to: 'full', actor: 'bob', reason: 'urgent' }),
    ).toMatchObject({ phase: 'completed', percentage: 100 })
    await expect(guard.promote('new-search', { actor: 'bob', reason: 'again' })).rejects.toThrow(
      /completed/,
    )

    await guard.rollback('new-search', { actor: 'dave', reason: 'customer reports' })
    expect(h.engine.overrides().get('new-search')).toBe('stable')
    expect(h.alerts.at(-1)?.text).toBe(
      'canarykit: `new-search`: rolled back by dave: customer reports. Every new evaluation now gets `stable`.',
    )
    await guard.close()
    expect((await h.audit()).map((a) => `${a.action} | ${a.actor} | ${a.reason}`)).toEqual([
      'start | alice | started by alice: ship v2 search',
      'proceed | bob | promoted to 10 % by bob: looks good',
      'pause | carol | paused by carol: incident 42',
      'resume | carol | resumed by carol: incident over',
      'complete | bob | completed to 100 % by bob: urgent',
      'rollback | dave | rolled back by dave: customer reports',
    ])
  })

  it('start refuses unknown variants and a second rollout; restarting after a rollback lifts the kill switch', async () => {
    const guard = h.guard()
    const refused = (promise: Promise<unknown>): Promise<unknown> =>
      promise.then(
        () => 'ok',
        (e: unknown) => isFlagsError(e) && `${e.code}: ${e.message}`,
      )
    expect(
      await refused(guard.start('new-search', { baseline: 'stable', canary: 'v3', ...ALICE })),
    ).toMatch(/INVALID_ARGUMENT: .*no variant "v3"/)
    const badPlan = { stages: [{ percentage: 50 }, { percentage: 10 }] }
    const start = { baseline: 'stable', canary: 'canary', plan: badPlan, ...ALICE }
    expect(await refused(guard.start('new-search', start))).toMatch(
      /\/plan\/stages\/1\/percentage: must not be below the previous stage/,
    )
    expect(
      await refused(guard.start('nope', { baseline: 'stable', canary: 'canary', ...ALICE })),
    ).toMatch(/no flag "nope"/)
    await guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    expect(
      await refused(guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })),
    ).toMatch(/already has a running rollout/)
    await guard.rollback('new-search', ALICE)
    expect(h.canaryShare()).toBe(0)
    expect(await refused(guard.rollback('new-search', ALICE))).toMatch(/already rolled back/)
    await guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    expect(h.engine.overrides().size).toBe(0)
    expect(h.canaryShare()).toBeGreaterThan(0)
    expect(await h.rollout()).toMatchObject({ phase: 'running', stage: 0, epoch: 1 })
  })

  it('alerts once for an SRM hold and does not alert for low-traffic holds', async () => {
    const logic = createFakeLogic()
    const guard = h.guard(logic)
    await guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    logic.script = () => ({
      kind: 'hold',
      reason: 'holding: need 120 more canary sessions',
      criterion: 'sample',
    })
    await guard.tick()
    logic.script = () => ({
      kind: 'hold',
      reason: 'canary share 0.4 % vs 1 % configured',
      criterion: 'srm',
    })
    await guard.tick()
    await guard.tick()
    expect(h.alerts.map((a) => `${a.level}:${a.kind}`)).toEqual(['info:start', 'warning:hold'])
    expect(h.alerts.at(-1)?.text).toBe(
      'canarykit: `new-search`: canary share 0.4 % vs 1 % configured.',
    )
    const [status] = await guard.status()
    expect(status?.waitingFor).toBe('dwell: 600 s left at 1 %')
    expect(status?.lastDecision?.criterion).toBe('srm')
  })
})

describe('createRolloutGuard: lifecycle', () => {
  it('close() stops the timer, is idempotent, and refuses commands afterwards', async () => {
    const guard = h.guard()
    expect(h.intervals.size).toBe(1)
    const closing = guard.close()
    expect(guard.close()).toBe(closing)
    await closing
    expect(h.intervals.size).toBe(0)
    const error: unknown = await guard
      .start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
      .catch((e: unknown) => e)
    expect(isFlagsError(error) && error.code).toBe('NOT_READY')
    await guard.tick() // a no-op, not an error
  })

  it('with real timers, close() leaves nothing that keeps the process alive', async () => {
    const timeouts = (): number =>
      process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const before = timeouts()
    const guard = createRolloutGuard({
      file: h.file,
      logic: createFakeLogic(),
      checkIntervalMs: 3_600_000,
    })
    await guard.start('new-search', { baseline: 'stable', canary: 'canary', ...ALICE })
    expect(timeouts()).toBe(before + 1)
    await guard.close()
    expect(timeouts()).toBe(before)
  })
})

/** A session key the engine currently serves `variant`. */
function findKey(harness: Harness, variant: string): string {
  for (let i = 0; i < 10_000; i++) {
    const key = `probe-${i}`
    if (harness.engine.resolveVariant('new-search', { targetingKey: key }).variant === variant)
      return key
  }
  throw new Error(`no session on ${variant}`)
}
