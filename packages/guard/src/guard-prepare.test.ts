import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RolloutState } from './types.js'
import { createFakeLogic, type FakeLogic } from './testing/fake-logic.js'
import { createHarness, type Harness } from './testing/guard-harness.js'

let h: Harness

beforeEach(async () => {
  h = await createHarness()
})

afterEach(async () => {
  await h.cleanup()
})

const ALICE = { actor: 'alice', reason: 'ship v2 search' }
const START = { baseline: 'stable', canary: 'canary', ...ALICE }

/** The fake logic plus an async `prepare`; `events` records the order of prepare and step. */
function asyncLogic(prepare: (states: readonly RolloutState[]) => Promise<void>): {
  logic: FakeLogic
  events: string[]
} {
  const events: string[] = []
  const fake = createFakeLogic()
  const step = fake.step.bind(fake)
  const logic: FakeLogic = Object.assign(fake, {
    async prepare(states: readonly RolloutState[]) {
      events.push(`prepare:${states.map((s) => `${s.flagKey}@${s.stage}`).join(',')}`)
      await prepare(states)
      events.push('prepared')
    },
    step(state: RolloutState, now: number) {
      events.push(`step:${state.flagKey}`)
      return step(state, now)
    },
  })
  return { logic, events }
}

describe('createRolloutGuard with an async logic.prepare', () => {
  it('awaits prepare with every running rollout before stepping', async () => {
    const { logic, events } = asyncLogic(() => new Promise((resolve) => setTimeout(resolve, 20)))
    const guard = h.guard(logic)
    await guard.start('new-search', START)
    events.length = 0
    await guard.tick()
    expect(events).toEqual(['prepare:new-search@0', 'prepared', 'step:new-search'])
  })

  it('steps anyway when prepare rejects', async () => {
    const warnings: string[] = []
    const { logic, events } = asyncLogic(() => Promise.reject(new Error('prometheus down')))
    const guard = h.guard(logic, { logger: { warn: (m: string) => warnings.push(m) } })
    await guard.start('new-search', START)
    events.length = 0
    await guard.tick()
    expect(events).toEqual(['prepare:new-search@0', 'step:new-search'])
    expect(warnings.join('\n')).toContain('prometheus down')
  })

  it('steps anyway when prepare outlasts the check interval', async () => {
    const warnings: string[] = []
    let release = (): void => undefined
    const { logic, events } = asyncLogic(() => new Promise((resolve) => (release = resolve)))
    const guard = h.guard(logic, {
      checkIntervalMs: 30,
      logger: { warn: (m: string) => warnings.push(m) },
    })
    await guard.start('new-search', START)
    events.length = 0
    await guard.tick()
    expect(events).toEqual(['prepare:new-search@0', 'step:new-search'])
    expect(warnings.join('\n')).toContain('took over 30 ms')
    release()
  })

  it('does not call prepare when nothing is running', async () => {
    const { logic, events } = asyncLogic(() => Promise.resolve())
    const guard = h.guard(logic)
    await guard.tick()
    expect(events).toEqual([])
  })
})
