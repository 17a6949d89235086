/*
 * A rollout guard on a real temporary flags file and a real core engine, with a hand-driven
 * clock and timer, for the shell's tests.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEngine, type Engine } from '@canarykit/core'
import type { Alert } from '../actions/alert.js'
import type { AuditRecord } from '../actions/audit-log.js'
import { createRolloutGuard } from '../guard.js'
import type { RolloutGuard, RolloutGuardOptions } from '../shell/guard-options.js'
import type { RolloutLogic } from '../shell/rollout-logic.js'
import { createFakeLogic } from './fake-logic.js'

export const T0 = Date.parse('2025-05-01T03:00:00Z')

export const FLAGS = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "other": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"},
    "new-search": {
      "state": "ENABLED",
      "variants": { "stable": "v1", "canary": "v2" },
      "defaultVariant": "stable"
    }
  }
}
`

export interface Harness {
  readonly dir: string
  readonly file: string
  readonly auditFile: string
  readonly engine: Engine
  readonly alerts: Alert[]
  /** Active fake intervals. */
  readonly intervals: Set<number>
  now: number
  /**
   * Creates a guard on the harness's file, engine, clock and timers (closed by `cleanup`): with
   * a fake logic by default, with the real one when `extra.recorder` is given without a logic.
   */
  guard(logic?: RolloutLogic, extra?: Partial<RolloutGuardOptions>): RolloutGuard
  text(): Promise<string>
  /** The file's flag and rollout record for `new-search`. */
  flag(): Promise<Record<string, unknown>>
  rollout(): Promise<Record<string, unknown> | undefined>
  audit(): Promise<AuditRecord[]>
  /** Share of 2,000 sessions the engine serves the canary (in %). */
  canaryShare(engine?: Engine): number
  cleanup(): Promise<void>
}

export async function createHarness(flags = FLAGS): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'guard-shell-'))
  const file = join(dir, 'flags.json')
  const auditFile = join(dir, 'audit', 'rollouts.jsonl')
  await writeFile(file, flags)
  const engine = createEngine()
  engine.load(flags, { source: file })
  const guards: RolloutGuard[] = []
  let nextId = 1
  const h: Harness = {
    dir,
    file,
    auditFile,
    engine,
    alerts: [],
    intervals: new Set(),
    now: T0,
    guard(logic, extra = {}) {
      // With a recorder and no logic, the package's real judge runs.
      const real = logic === undefined && extra.recorder !== undefined
      const guard = createRolloutGuard({
        file,
        engine,
        ...(real ? {} : { logic: logic ?? createFakeLogic() }),
        clock: () => h.now,
        timers: {
          setInterval: () => {
            const id = nextId++
            h.intervals.add(id)
            return id
          },
          clearInterval: (id) => h.intervals.delete(id as number),
        },
        alerts: { onAlert: (alert) => h.alerts.push(alert) },
        audit: { file: auditFile },
        ...extra,
      })
      guards.push(guard)
      return guard
    },
    text: () => readFile(file, 'utf8'),
    async flag() {
      const doc = JSON.parse(await h.text()) as { flags: Record<string, Record<string, unknown>> }
      return doc.flags['new-search'] ?? {}
    },
    async rollout() {
      const doc = JSON.parse(await h.text()) as {
        canarykit?: { rollouts: Record<string, Record<string, unknown>> }
      }
      return doc.canarykit?.rollouts['new-search']
    },
    async audit() {
      const text = await readFile(auditFile, 'utf8').catch(() => '')
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as AuditRecord)
    },
    canaryShare(on = engine) {
      let canary = 0
      for (let i = 0; i < 2000; i++) {
        if (on.resolveVariant('new-search', { targetingKey: `session-${i}` }).variant === 'canary')
          canary++
      }
      return canary / 20
    },
    async cleanup() {
      for (const guard of guards) await guard.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
  return h
}
