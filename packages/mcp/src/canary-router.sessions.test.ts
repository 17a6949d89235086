import { createEngine } from '@canarykit/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  connectInMemory,
  inMemorySessions,
  FLAG,
  rolloutDocument,
  searchServer,
  text,
  variantOf,
} from '../test/harness.js'
import { createCanaryRouter, type CanaryRouterOptions } from './canary-router.js'
import { createOutcomeRecorder } from './outcome-recorder.js'
import { VARIANT_META_KEY } from './variant-meta.js'

const { session, track, search } = inMemorySessions((options: CanaryRouterOptions) =>
  searchServer(createCanaryRouter(options)),
)

describe('session keys, context and shared pins (in memory)', () => {
  it('buckets by auth client id, a _meta key or the connection when there is no session id', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 50))
    const recorder = createOutcomeRecorder()
    const units: (string | undefined)[] = []
    const router = createCanaryRouter({
      evaluator: engine,
      sinks: [recorder, { record: (o) => units.push(o.unitKey) }],
      sessionKey: ['sessionId', 'clientId', { meta: 'io.example/user' }, 'connection'],
    })
    const authInfo = { token: 't', clientId: 'client-7', scopes: [] }
    const withAuth = track(await connectInMemory(searchServer(router), { authInfo }))
    await search(withAuth)
    const plain = track(await connectInMemory(searchServer(router)))
    await plain.client.callTool({
      name: 'search',
      arguments: { q: 'x' },
      _meta: { 'io.example/user': 'user-9' },
    })
    await search(plain)
    await search(track(await connectInMemory(searchServer(router))))
    expect(units.slice(0, 2)).toEqual(['client-7', 'user-9'])
    // One router, no HTTP request info: both in-memory connections share the router's id.
    expect(units[2]).toMatch(/^connection-/)
    expect(units[3]).toBe(units[2])
  })

  it('shares pins between the tools of a router; a tool without the pinned variant serves its baseline', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 100))
    const router = createCanaryRouter({ evaluator: engine })
    const server = searchServer(router)
    server.registerTool(
      'suggest',
      { inputSchema: { q: z.string() } },
      router.tool({ name: 'suggest', flag: FLAG, variants: { stable: () => text('stable:') } }),
    )
    const c = track(await connectInMemory(server, { sessionId: 'shared-1' }))
    expect(await search(c)).toBe('canary')
    // Now the flag gives this session `stable`, which `suggest` implements, but its pin says canary.
    engine.load(rolloutDocument(FLAG, 0))
    expect(await search(c)).toBe('canary')
    const suggestion = await c.client.callTool({ name: 'suggest', arguments: { q: 'x' } })
    expect(suggestion).toEqual({
      content: [{ type: 'text', text: 'stable:' }],
      _meta: { [VARIANT_META_KEY]: 'stable' },
    })
    expect(router.pins.size).toBe(1)
  })

  it('routes without pinning when no key source yields a key', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 100))
    const units: (string | undefined)[] = []
    const router = createCanaryRouter({
      evaluator: engine,
      sessionKey: ['sessionId'],
      sinks: { record: (o) => units.push(o.unitKey) },
    })
    const c = track(await connectInMemory(searchServer(router)))
    // No targeting key: the rollout's fractional split sends it to the baseline.
    expect(await search(c)).toBe('stable')
    expect(units).toEqual([undefined])
    expect(router.pins.size).toBe(0)
  })

  it('adds mapped attributes to the evaluation context', async () => {
    const engine = createEngine()
    engine.load({
      flags: {
        [FLAG]: {
          state: 'ENABLED',
          variants: { stable: 1, canary: 2 },
          defaultVariant: 'stable',
          targeting: { if: [{ '==': [{ var: 'tier' }, 'pro'] }, 'canary', 'stable'] },
        },
      },
    })
    const options: CanaryRouterOptions = {
      evaluator: engine,
      context: ({ meta, unitKey }) => ({ tier: meta['tier'] ?? 'free', unit: unitKey ?? '' }),
    }
    const c = await session(options, 'tiered')
    const call = (tier: string) =>
      c.client.callTool({ name: 'search', arguments: { q: 'x' }, _meta: { tier } })
    expect(variantOf(await call('pro'))).toBe('canary')
    const failing = await session(
      {
        evaluator: engine,
        context: () => {
          throw new Error('mapper bug')
        },
      },
      'mapper-bug',
    )
    expect(await search(failing)).toBe('stable')
  })
})
