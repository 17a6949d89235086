import { createEngine, type Outcome } from '@canarykit/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  FLAG,
  mapLimit,
  rolloutDocument,
  searchServer,
  startHttp,
  textOf,
  variantOf,
  type HttpConnection,
  type HttpHarness,
} from '../test/harness.js'
import { createCanaryRouter, type CanaryRouter, type CanaryRouterOptions } from './canary-router.js'
import { createOutcomeRecorder } from './outcome-recorder.js'

const SESSIONS = 200
const CALLS_PER_SESSION = 5
const CONCURRENCY = 25

let harness: HttpHarness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

/** A Streamable HTTP server whose sessions all share one router; closing a session releases its pins. */
async function start(
  options: CanaryRouterOptions,
): Promise<{ router: CanaryRouter; http: HttpHarness }> {
  const router = createCanaryRouter(options)
  harness = await startHttp(
    () => searchServer(router),
    (id) => router.releaseSession(id),
  )
  return { router, http: harness }
}

/** Opens `count` client sessions, at most CONCURRENCY at a time. */
async function connect(http: HttpHarness, count: number): Promise<HttpConnection[]> {
  return mapLimit(Array.from({ length: count }), CONCURRENCY, () => http.connect())
}

/** Every call's variant, per connection, after checking text and `_meta` agree. */
async function callAll(connections: readonly HttpConnection[], calls = 1): Promise<string[][]> {
  return mapLimit(connections, CONCURRENCY, async (c) => {
    const served: string[] = []
    for (let i = 0; i < calls; i++) {
      const result = await c.client.callTool({ name: 'search', arguments: { q: `${i}` } })
      const variant = textOf(result).split(':')[0] as string
      expect(variantOf(result)).toBe(variant)
      served.push(variant)
    }
    return served
  })
}

/** The one variant each connection was served; fails if any session saw two. */
function perSession(served: readonly string[][]): string[] {
  return served.map((calls) => {
    expect(new Set(calls).size).toBe(1)
    return calls[0] as string
  })
}

/** Binomial bounds: observed count within ±5σ of n·p. */
function expectShare(count: number, n: number, p: number): void {
  const sigma = Math.sqrt(n * p * (1 - p))
  expect(count).toBeGreaterThanOrEqual(n * p - 5 * sigma)
  expect(count).toBeLessThanOrEqual(n * p + 5 * sigma)
}

// Hundreds of real HTTP sessions on two shared cores: generous, bounded time limits.
describe('routing over Streamable HTTP with many concurrent sessions', { timeout: 60_000 }, () => {
  it('sends the flag’s share of sessions to the canary, every call of a session to one implementation', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 20))
    const recorder = createOutcomeRecorder()
    const units = new Map<string, Set<string>>()
    const { router, http } = await start({
      evaluator: engine,
      sinks: [
        recorder,
        {
          record: (o: Outcome) => {
            const seen = units.get(o.unitKey ?? '') ?? new Set<string>()
            units.set(o.unitKey ?? '', seen.add(o.variant))
          },
        },
      ],
    })
    const connections = await connect(http, SESSIONS)
    expect(http.sessions()).toBe(SESSIONS)
    const variants = perSession(await callAll(connections, CALLS_PER_SESSION))
    const canary = variants.filter((v) => v === 'canary').length
    expectShare(canary, SESSIONS, 0.2)

    // The sinks saw the same thing, keyed by the real MCP session ids.
    expect([...units.keys()].sort()).toEqual(connections.map((c) => c.sessionId).sort())
    expect([...units.values()].every((seen) => seen.size === 1)).toBe(true)
    expect(recorder.get(FLAG, 'canary')).toMatchObject({
      sessions: canary,
      calls: canary * CALLS_PER_SESSION,
      errors: 0,
    })
    expect(recorder.get(FLAG, 'stable')).toMatchObject({
      sessions: SESSIONS - canary,
      calls: (SESSIONS - canary) * CALLS_PER_SESSION,
    })
    expect(router.pins.size).toBe(SESSIONS)

    // DELETE ends a session: onsessionclosed releases its pin.
    await mapLimit(connections.slice(0, 50), CONCURRENCY, (c) => c.terminate())
    expect(router.pins.size).toBe(SESSIONS - 50)
    expect(http.sessions()).toBe(SESSIONS - 50)
  })

  it('keeps pins when the percentage rises; rollbacks move all sessions to the baseline at once', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 10, 1))
    const { http } = await start({ evaluator: engine })
    const connections = await connect(http, SESSIONS)
    const at10 = perSession(await callAll(connections))
    expectShare(at10.filter((v) => v === 'canary').length, SESSIONS, 0.1)

    engine.load(rolloutDocument(FLAG, 50, 1))
    expect(perSession(await callAll(connections, 2))).toEqual(at10)
    const newcomers = await connect(http, 100)
    const at50 = perSession(await callAll(newcomers))
    expectShare(at50.filter((v) => v === 'canary').length, 100, 0.5)

    // The kill switch: the very next call of every session is served by the baseline.
    const everyone = [...connections, ...newcomers]
    engine.override(FLAG, 'stable')
    expect(new Set(perSession(await callAll(everyone, 2)))).toEqual(new Set(['stable']))
    engine.clearOverride(FLAG)

    // A new release under epoch 2 re-buckets everyone; then a guard-style rollback in the
    // file (epoch bumped to 3, canary weight 0) moves every session back at once.
    engine.load(rolloutDocument(FLAG, 50, 2))
    const all = [...everyone, ...(await connect(http, 50))]
    expect(perSession(await callAll(all))).toContain('canary')
    engine.load(rolloutDocument(FLAG, 0, 3))
    expect(new Set(perSession(await callAll(all, 2)))).toEqual(new Set(['stable']))
  })

  it('honours the override header only when enabled, by name and allow-list, and never pins it', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 0))
    const recorder = createOutcomeRecorder()
    const off = await start({ evaluator: engine, sinks: recorder })
    const ignored = await off.http.connect({ 'x-canary-version': 'canary' })
    expect(perSession(await callAll([ignored], 2))).toEqual(['stable'])
    await off.http.close()
    harness = undefined

    const { router, http } = await start({
      evaluator: engine,
      sinks: recorder,
      override: { allow: ['canary'] },
    })
    recorder.reset()
    const forced = await http.connect({ 'x-canary-version': 'canary' })
    const notAllowed = await http.connect({ 'x-canary-version': 'experimental' })
    const otherHeader = await http.connect({ 'x-version': 'canary' })
    const served = perSession(await callAll([forced, notAllowed, otherHeader], 3))
    expect(served).toEqual(['canary', 'stable', 'stable'])
    // Forced calls are recorded as overridden (outside the statistics), with no assignment and no pin.
    expect(recorder.get(FLAG, 'canary')).toMatchObject({ calls: 0, overridden: 3, sessions: 0 })
    expect(router.pins.get(forced.sessionId, FLAG)).toBeUndefined()
    expect(router.pins.get(notAllowed.sessionId, FLAG)).toEqual({
      variant: 'stable',
      epoch: undefined,
    })

    // The kill switch beats the header.
    engine.override(FLAG, 'stable')
    expect(perSession(await callAll([forced]))).toEqual(['stable'])
  })
})
