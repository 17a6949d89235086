import { createEngine, type Assignment, type Outcome } from '@canarykit/core'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { FLAG, rolloutDocument, text } from '../test/harness.js'
import { createCanaryRouter, type CanaryRouterOptions } from './canary-router.js'
import { createPinStore } from './pin-store.js'
import type { CallInterceptor, RequestExtra, RoutedCall } from './types.js'
import { VARIANT_META_KEY } from './variant-meta.js'

/*
 * The routed callback called directly, as McpServer calls it (`(args, extra)`), to pin down
 * the hot path's contract: how it settles, rethrows, sweeps and runs interceptors.
 */

type Impl = (args: { q: string }, extra: RequestExtra) => CallToolResult | Promise<CallToolResult>

function routedTo(canary: Impl, options: Partial<CanaryRouterOptions> = {}) {
  const engine = createEngine()
  engine.load(rolloutDocument(FLAG, 100))
  const outcomes: Outcome[] = []
  const assignments: Assignment[] = []
  const router = createCanaryRouter({
    evaluator: engine,
    sinks: { record: (o) => outcomes.push(o), assigned: (a) => assignments.push(a) },
    ...options,
  })
  const routed = router.tool<Impl>({ flag: FLAG, variants: { stable: () => text('s'), canary } })
  return { routed, outcomes, assignments }
}

function extraFor(sessionId: string | undefined, signal = new AbortController().signal) {
  return { signal, requestId: 1, ...(sessionId === undefined ? {} : { sessionId }) } as RequestExtra
}

/** A promise the test settles by hand. */
function deferred() {
  let resolve: (r: CallToolResult) => void = () => undefined
  let reject: (e: unknown) => void = () => undefined
  const promise = new Promise<CallToolResult>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('the routed callback, called directly', () => {
  it('rethrows exactly what the implementation threw or rejected with, as a rejection', async () => {
    const thrown = new Error('index offline')
    const sync = routedTo(() => {
      throw thrown
    })
    const pending = sync.routed({ q: 'x' }, extraFor('s'))
    expect(pending).toBeInstanceOf(Promise)
    await expect(pending).rejects.toBe(thrown)
    const notAnError = { code: 42 }
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error on purpose
    const rejecting = routedTo(() => Promise.reject(notAnError))
    await expect(rejecting.routed({ q: 'x' }, extraFor('s'))).rejects.toBe(notAnError)
    expect([...sync.outcomes, ...rejecting.outcomes].map((o) => o.error)).toEqual([true, true])
  })

  it('never mutates a result; one without _meta gets a frozen, shared one per variant', async () => {
    const result = Object.freeze(text('hit'))
    const { routed } = routedTo(() => Promise.resolve(result))
    const first = await routed({ q: 'x' }, extraFor('s'))
    const second = await routed({ q: 'x' }, extraFor('s'))
    expect(first).toEqual({ ...result, _meta: { [VARIANT_META_KEY]: 'canary' } })
    expect(first).not.toBe(result)
    expect(result).not.toHaveProperty('_meta')
    expect(Object.isFrozen(first._meta)).toBe(true)
    expect(second._meta).toBe(first._meta)
  })

  it('records a call that never settles once, from the sweep after its client cancelled', async () => {
    let now = 0
    const calls = [deferred(), deferred(), deferred()]
    let next = 0
    const { routed, outcomes } = routedTo(
      () =>
        next < calls.length ? (calls[next++] as ReturnType<typeof deferred>).promise : text('d'),
      { clock: () => now },
    )
    const controllers = calls.map(() => new AbortController())
    const pending = controllers.map((c) => routed({ q: 'x' }, extraFor('s', c.signal)))
    controllers[0]?.abort()
    controllers[2]?.abort()
    now = 1500
    await routed({ q: 'x' }, extraFor('s')) // the sweep runs here
    expect(outcomes.map((o) => [o.error, o.latencyMs])).toEqual([
      [true, 1500],
      [true, 1500],
      [false, 0],
    ])
    // Settling later records nothing more for the swept calls; the one still running records.
    calls[0]?.resolve(text('late'))
    calls[2]?.reject(new Error('late'))
    now = 1600
    calls[1]?.resolve(text('b'))
    const settled = await Promise.allSettled(pending.map((p) => Promise.resolve(p)))
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    expect(outcomes).toHaveLength(4)
    expect(outcomes[3]).toMatchObject({ error: false, latencyMs: 1600 })
  })

  it('hands interceptors a RoutedCall without sessionId when there is none, and a rejection for a synchronous throw', async () => {
    const calls: RoutedCall[] = []
    const seen: unknown[] = []
    const watch: CallInterceptor = async (call, next) => {
      calls.push(call)
      try {
        return await next()
      } catch (error) {
        seen.push(error)
        throw error
      }
    }
    const thrown = new Error('boom')
    const { routed, outcomes } = routedTo(
      () => {
        throw thrown
      },
      { interceptors: [watch, watch], sessionKey: [() => 'unit'] },
    )
    await expect(routed({ q: 'x' }, extraFor(undefined))).rejects.toBe(thrown)
    expect(seen).toEqual([thrown, thrown])
    expect(calls[0]).toStrictEqual({
      method: 'tools/call',
      operation: FLAG,
      flagKey: FLAG,
      variant: 'canary',
      reason: 'TARGETING_MATCH',
      overridden: false,
    })
    expect(outcomes).toEqual([expect.objectContaining({ error: true, unitKey: 'unit' })])
  })

  it('lets a shared pin store keep its own clock', async () => {
    let storeNow = 0
    const pins = createPinStore({ ttlMs: 1000, clock: () => storeNow })
    const { routed, assignments } = routedTo(() => text('c'), { pins, clock: () => 0 })
    await routed({ q: 'x' }, extraFor('s'))
    await routed({ q: 'x' }, extraFor('s'))
    expect(assignments).toHaveLength(1)
    storeNow = 5000 // idle beyond the store's TTL by its clock, though the router's stands still
    await routed({ q: 'x' }, extraFor('s'))
    expect(assignments).toHaveLength(2)
  })
})
