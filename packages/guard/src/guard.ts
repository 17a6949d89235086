import { FlagsError, isFlagsError } from '@canarykit/core'
import { createAuditLog } from './actions/audit-log.js'
import { createValidationCache } from './persistence/atomic-update.js'
import { readRollouts, updateRollout } from './persistence/flags-file.js'
import { stateOf, type RolloutRecord } from './persistence/rollout-record.js'
import { createAlertDispatcher } from './shell/alert-dispatcher.js'
import { actionAlert, errorText } from './shell/describe-action.js'
import { createFileReader } from './shell/file-reader.js'
import type { RolloutGuard, RolloutGuardOptions, StartOptions } from './shell/guard-options.js'
import { createRolloutActions, stageKey } from './shell/rollout-actions.js'
import type { ManualNote, RolloutLogic, StepResult } from './shell/rollout-logic.js'
import { rolloutStatus, type RolloutStatus } from './shell/rollout-status.js'
import { startRecord } from './shell/start-record.js'
import { within } from './shell/within.js'
import { createRolloutLogic } from './stages/create-rollout-logic.js'

/**
 * Creates the rollout guard: every `checkIntervalMs` it judges each running rollout in the flags
 * file and carries out the decision — writes the next stage, completes, or rolls back (kill switch
 * first, then the file, then alerts, then the audit log). The file is the only state: a new guard
 * on the same file resumes where the last one stopped (with fresh evidence).
 *
 * @example
 * const guard = createRolloutGuard({ file: 'flags.json', engine, recorder, audit: { file: 'audit.jsonl' } })
 * await guard.start('new-search', { baseline: 'stable', canary: 'canary', actor: 'alice', reason: 'v2' })
 */
export function createRolloutGuard(options: RolloutGuardOptions): RolloutGuard {
  const { file, engine } = options
  const logic = logicOf(options)
  const clock = options.clock ?? Date.now
  const interval = options.checkIntervalMs ?? 5000
  const logger = options.logger ?? {}
  const alerts = createAlertDispatcher(options.alerts ?? {}, logger)
  const audit = options.audit && createAuditLog(options.audit.file, logger)
  const timers = options.timers ?? {
    setInterval: (callback: () => void, ms: number): unknown => setInterval(callback, ms),
    clearInterval: (handle: unknown) => clearInterval(handle as NodeJS.Timeout),
  }
  const cache = createValidationCache()
  const update = { cache, ...(options.writeHooks && { hooks: options.writeHooks }) }
  const read = createFileReader(file, alerts, clock, cache)
  const actions = createRolloutActions({
    file,
    engine,
    logic,
    alerts,
    audit,
    clock,
    logger,
    update,
  })
  const { seen, pending, observe, persist, targetOf, acted, rollBack } = actions
  let tail: Promise<unknown> = Promise.resolve()
  let ticking = false
  let closing: Promise<void> | undefined

  /** One task at a time, so a check and a manual command never interleave their writes. */
  function serial<T>(task: () => Promise<T>): Promise<T> {
    const run = tail.then(task, task)
    tail = run.catch(() => undefined)
    return run
  }

  function ensureOpen(): void {
    if (closing !== undefined) throw new FlagsError('NOT_READY', 'the rollout guard is closed')
  }

  /** Judges one rollout; a rollback's kill switch is thrown here, before anything is awaited. */
  function judge(record: RolloutRecord): StepResult | undefined {
    try {
      const now = clock()
      const result = logic.step(observe(record, now), now)
      const entry = seen.get(record.flagKey)
      if (entry !== undefined) entry.decision = result.decision
      if (result.decision.kind === 'rollback') actions.killSwitch(record)
      return result
    } catch (error) {
      logger.error?.(`checking ${record.flagKey} failed: ${errorText(error)}`)
      return undefined
    }
  }

  /** Carries out a decision: the file, then alerts and audit. */
  async function act(record: RolloutRecord, result: StepResult): Promise<void> {
    const { decision } = result
    actions.noticed(record, result)
    if (decision.kind === 'rollback') return rollBack(record, result, 'guard')
    if (decision.kind === 'proceed' || decision.kind === 'complete') {
      const target = targetOf(record, result, 'guard')
      const unchanged = (current?: RolloutRecord): boolean =>
        current !== undefined && stageKey(current) === stageKey(record)
      try {
        const written = await persist(target, unchanged)
        if (written !== undefined) acted(record, written, decision, 'guard', decision.kind)
      } catch (error) {
        // The next check decides again; an invalid file has already alerted.
        logger.warn?.(`could not write the next stage of ${record.flagKey}: ${errorText(error)}`)
      }
    } else if (decision.kind === 'hold' && decision.criterion === 'srm') {
      const facts = {
        after: record,
        decision,
        actor: 'guard',
        action: 'hold',
        persisted: true,
        file,
      } as const
      alerts.once(`hold:${record.flagKey}:${stageKey(record)}`, actionAlert(facts))
    }
  }

  /** Lets an async logic fetch its evidence; bounded, and never in the way of the step. */
  async function prepare(running: readonly RolloutRecord[]): Promise<void> {
    if (logic.prepare === undefined || running.length === 0) return
    const now = clock()
    const states = running.map((record) => observe(record, now))
    const prepared = Promise.resolve()
      .then(() => logic.prepare?.(states, now))
      .catch((error: unknown) => {
        logger.warn?.(`preparing the rollout check failed: ${errorText(error)}`)
      })
    if (!(await within(prepared, interval))) {
      logger.warn?.(`preparing the rollout check took over ${interval} ms; judging anyway`)
    }
  }

  async function check(): Promise<void> {
    const current = await read()
    // Rolled back already (in process); `current` may predate their file rewrite.
    const done = new Set(pending.keys())
    await actions.flushPending()
    const running = current.rollouts.filter(
      (r) => r.phase === 'running' && !done.has(r.flagKey) && !pending.has(r.flagKey),
    )
    await prepare(running)
    // Judge every rollout first, so each kill switch takes effect before any file IO.
    const decided = running.map((record) => ({ record, result: judge(record) }))
    for (const { record, result } of decided) {
      if (closing !== undefined && result?.decision.kind !== 'rollback') continue
      if (result !== undefined) await act(record, result)
    }
  }

  async function tick(): Promise<void> {
    if (ticking || closing !== undefined) return
    ticking = true
    try {
      await serial(check)
    } catch (error) {
      logger.error?.(`rollout check failed: ${errorText(error)}`)
    } finally {
      ticking = false
    }
  }

  async function statuses(): Promise<RolloutStatus[]> {
    const current = await read()
    const now = clock()
    return current.rollouts.map((record) => {
      const target = pending.get(record.flagKey)
      const entry = seen.get(record.flagKey)
      const live =
        entry?.key === stageKey(record)
          ? { stageStartedAt: entry.since, ...(entry.decision && { decision: entry.decision }) }
          : undefined
      return rolloutStatus(target ?? record, live, target !== undefined, now)
    })
  }

  async function statusOf(flagKey: string): Promise<RolloutStatus> {
    const found = (await serial(statuses)).find((s) => s.flagKey === flagKey)
    if (found === undefined) throw noRollout(flagKey, 'report')
    return found
  }

  function noRollout(flagKey: string, what: string): FlagsError {
    return new FlagsError(
      'INVALID_ARGUMENT',
      `no rollout to ${what} for flag ${JSON.stringify(flagKey)} in ${file}`,
    )
  }

  async function manual(
    flagKey: string,
    action: 'promote' | 'rollback' | 'pause' | 'resume',
    note: ManualNote,
    to: 'next' | 'full' = 'next',
  ): Promise<RolloutStatus> {
    ensureOpen()
    await serial(async () => {
      // A rollback must work even while the file is broken: judge from the last good copy.
      const current = action === 'rollback' ? await read() : await readRollouts(file, { cache })
      const record = current.rollouts.find((r) => r.flagKey === flagKey)
      if (record === undefined) throw noRollout(flagKey, action)
      if (record.phase === 'rolled-back' || pending.has(flagKey)) {
        throw new FlagsError(
          'INVALID_ARGUMENT',
          `flag ${JSON.stringify(flagKey)} is already rolled back; start a new rollout instead`,
        )
      }
      const now = clock()
      const state = record.phase === 'running' ? observe(record, now) : stateOf(record)
      const result = transition(() =>
        action === 'promote'
          ? logic.promote(state, to, now, note)
          : logic[action](state, now, note),
      )
      if (action === 'rollback') {
        actions.killSwitch(record)
        return rollBack(record, result, note.actor)
      }
      const accept = (c?: RolloutRecord): boolean =>
        c !== undefined && stageKey(c) === stageKey(record)
      const written = await persist(targetOf(record, result, note.actor), accept)
      if (written === undefined) {
        throw new FlagsError(
          'WRITE_CONFLICT',
          `the rollout of ${JSON.stringify(flagKey)} changed in ${file} meanwhile; nothing was written`,
        )
      }
      const kind =
        action === 'promote' ? (written.phase === 'completed' ? 'complete' : 'proceed') : action
      acted(record, written, result.decision, note.actor, kind)
      return undefined
    })
    return statusOf(flagKey)
  }

  async function start(flagKey: string, startOptions: StartOptions): Promise<RolloutStatus> {
    ensureOpen()
    await serial(async () => {
      const now = clock()
      let before: RolloutRecord | undefined
      const result = await updateRollout(
        file,
        flagKey,
        (current, { flag }) => {
          before = current
          return startRecord(flagKey, startOptions, { current, flag, now, logic, file })
        },
        update,
      )
      const written = result.record
      if (written?.lastDecision === undefined) return
      actions.reload(result.text)
      actions.lift(flagKey)
      acted(before, written, written.lastDecision, startOptions.actor, 'start')
    })
    return statusOf(flagKey)
  }

  const handle = timers.setInterval(() => void tick(), interval)

  return {
    start,
    promote: (flagKey, o) => manual(flagKey, 'promote', o, o.to),
    rollback: (flagKey, o) => manual(flagKey, 'rollback', o),
    pause: (flagKey, o) => manual(flagKey, 'pause', o),
    resume: (flagKey, o) => manual(flagKey, 'resume', o),
    status: () => serial(statuses),
    tick,
    close() {
      closing ??= (async () => {
        timers.clearInterval(handle)
        const bound = options.closeTimeoutMs ?? 2000
        await within(
          tail.then(() => audit?.flush()),
          bound,
        )
        await alerts.close(bound)
      })()
      return closing
    },
  }
}

function logicOf({ logic, recorder }: RolloutGuardOptions): RolloutLogic {
  if (logic !== undefined) return logic
  if (recorder !== undefined) return createRolloutLogic(recorder)
  throw new FlagsError('INVALID_ARGUMENT', 'createRolloutGuard needs a `recorder` (or a `logic`)')
}

/** A refused manual transition becomes an 'INVALID_ARGUMENT' FlagsError. */
function transition(run: () => StepResult): StepResult {
  try {
    return run()
  } catch (error) {
    if (isFlagsError(error)) throw error
    throw new FlagsError('INVALID_ARGUMENT', errorText(error), { cause: error })
  }
}
