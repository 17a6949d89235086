import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEngine, isFlagsError, type VariantEvaluator } from '@canarykit/core'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  connectInMemory,
  inMemorySessions,
  FLAG,
  rolloutDocument,
  searchServer,
  text,
  textOf,
  variantOf,
  type Connection,
} from '../test/harness.js'
import { canaryTool, createCanaryRouter, type CanaryRouterOptions } from './canary-router.js'
import { createOutcomeRecorder } from './outcome-recorder.js'

const { session, track, search } = inMemorySessions((options: CanaryRouterOptions) =>
  searchServer(createCanaryRouter(options)),
)

/** Connects `count` sessions (ids `s-0`…) to servers sharing one router. */
async function sessions(options: CanaryRouterOptions, count: number, prefix = 's') {
  const router = createCanaryRouter(options)
  const connections: Connection[] = []
  for (let i = 0; i < count; i++) {
    connections.push(
      track(await connectInMemory(searchServer(router), { sessionId: `${prefix}-${i}` })),
    )
  }
  const served = async (): Promise<string[]> => Promise.all(connections.map((c) => search(c)))
  return { router, connections, served }
}

describe('routing over the real SDK (in memory)', () => {
  it('serves each session the variant the flag gives its session id, on every call', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 50))
    const { served } = await sessions({ evaluator: engine }, 40)
    const first = await served()
    const expected = first.map(
      (_, i) => engine.resolveVariant(FLAG, { targetingKey: `s-${i}` }).variant,
    )
    expect(first).toEqual(expected)
    expect(new Set(first)).toEqual(new Set(['stable', 'canary']))
    for (let round = 0; round < 3; round++) expect(await served()).toEqual(first)
  })

  it('keeps pins when the percentage changes; only new sessions see the new split', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 10))
    const { router, served } = await sessions({ evaluator: engine }, 60)
    const before = await served()
    engine.load(rolloutDocument(FLAG, 90))
    expect(await served()).toEqual(before)
    engine.load(rolloutDocument(FLAG, 0))
    expect(await served()).toEqual(before)
    engine.load(rolloutDocument(FLAG, 100))
    const fresh = track(await connectInMemory(searchServer(router), { sessionId: 'new-1' }))
    expect(await search(fresh)).toBe('canary')
  })

  it('moves every session to the baseline at once on the kill switch, and keeps them there', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 50))
    const { router, served } = await sessions({ evaluator: engine }, 40)
    expect(await served()).toContain('canary')
    engine.override(FLAG, 'stable')
    expect(new Set(await served())).toEqual(new Set(['stable']))
    // Clearing the switch does not flip rolled-back sessions back to the canary.
    engine.clearOverride(FLAG)
    expect(new Set(await served())).toEqual(new Set(['stable']))
    engine.load(rolloutDocument(FLAG, 100))
    const fresh = track(await connectInMemory(searchServer(router), { sessionId: 'new-2' }))
    expect(await search(fresh)).toBe('canary')
  })

  it('moves every session to the baseline when a reloaded file bumps the pin epoch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canarykit-mcp-'))
    try {
      const file = join(dir, 'flags.json')
      const engine = createEngine()
      const reload = (): void => {
        engine.load(readFileSync(file, 'utf8'), { source: file })
      }
      writeFileSync(file, JSON.stringify(rolloutDocument(FLAG, 50, 1)))
      reload()
      const { served } = await sessions({ evaluator: engine }, 40)
      const before = await served()
      expect(before).toContain('canary')

      // A half-written file is rejected; the last good flags keep serving, pins unchanged.
      writeFileSync(file, JSON.stringify(rolloutDocument(FLAG, 0, 2)).slice(0, 40))
      expect(() => reload()).toThrow(expect.objectContaining({ code: 'INVALID_JSON' }))
      expect(await served()).toEqual(before)

      writeFileSync(file, JSON.stringify(rolloutDocument(FLAG, 0, 2)))
      reload()
      expect(new Set(await served())).toEqual(new Set(['stable']))
      // Under the new epoch, stickiness resumes: raising the percentage keeps them on stable.
      writeFileSync(file, JSON.stringify(rolloutDocument(FLAG, 100, 2)))
      reload()
      expect(new Set(await served())).toEqual(new Set(['stable']))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('serves the baseline, never an exception, when the flag is missing, broken or errors', async () => {
    const broken = createEngine()
    const loaded = broken.load({
      flags: {
        [FLAG]: {
          state: 'ENABLED',
          variants: { stable: 1, canary: 2 },
          defaultVariant: 'stable',
          targeting: { no_such_operator: [1] },
        },
      },
    })
    expect(loaded.brokenFlags).toHaveLength(1)
    const unimplemented = createEngine()
    unimplemented.load({
      flags: { [FLAG]: { state: 'ENABLED', variants: { stable: 1, v3: 3 }, defaultVariant: 'v3' } },
    })
    const disabled = createEngine()
    disabled.load({
      flags: { [FLAG]: { state: 'DISABLED', variants: { canary: 1 }, defaultVariant: 'canary' } },
    })
    const evaluators: Record<string, VariantEvaluator> = {
      missing: createEngine(),
      broken,
      unimplemented,
      disabled,
      throwing: {
        resolveVariant: () => {
          throw new Error('provider exploded')
        },
      },
      rejecting: { resolveVariant: () => Promise.reject(new Error('provider offline')) },
      garbage: { resolveVariant: () => null as never },
    }
    for (const [name, evaluator] of Object.entries(evaluators)) {
      const recorder = createOutcomeRecorder()
      const c = await session({ evaluator, sinks: recorder }, `session-${name}`)
      expect([name, await search(c)]).toEqual([name, 'stable'])
      expect(recorder.get(FLAG, 'stable')).toMatchObject({ calls: 1, errors: 0, sessions: 0 })
    }
  })

  it('waits for an async evaluator (an OpenFeature client) before routing', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 100))
    const evaluator: VariantEvaluator = {
      resolveVariant: async (flagKey, context) => {
        await new Promise((resolve) => setImmediate(resolve))
        return engine.resolveVariant(flagKey, context)
      },
    }
    expect(await search(await session({ evaluator }, 'async-1'))).toBe('canary')
  })

  it('keeps the issue’s canaryTool form: one callback, any tool shape', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 100))
    const server = new McpServer({ name: 'shapes', version: '1.0.0' })
    const seen: unknown[][] = []
    server.registerTool(
      'ping',
      { description: 'no input schema' },
      canaryTool({
        flag: FLAG,
        evaluator: engine,
        variants: {
          stable: (...params) => (seen.push(params), text('stable')),
          canary: (...params) => (seen.push(params), text('canary')),
        },
      }),
    )
    const c = track(await connectInMemory(server, { sessionId: 'shape-1' }))
    const result = await c.client.callTool({ name: 'ping' })
    expect(textOf(result)).toBe('canary')
    // Without a schema McpServer passes only `extra`; the router passes exactly that.
    expect(seen).toHaveLength(1)
    expect(seen[0]).toHaveLength(1)
    expect(seen[0]?.[0]).toMatchObject({
      sessionId: 'shape-1',
      signal: expect.any(AbortSignal) as unknown,
    })
  })

  it('routes prompts and resources the same way', async () => {
    const engine = createEngine()
    engine.load(rolloutDocument(FLAG, 100))
    const router = createCanaryRouter({ evaluator: engine })
    const server = new McpServer({ name: 'prompts', version: '1.0.0' })
    server.registerPrompt(
      'greet',
      { argsSchema: { who: z.string() } },
      router.prompt({
        flag: FLAG,
        variants: {
          stable: ({ who }) => ({
            messages: [{ role: 'user', content: { type: 'text', text: `hello ${who}` } }],
          }),
          canary: ({ who }) => ({
            messages: [{ role: 'user', content: { type: 'text', text: `hi ${who}` } }],
          }),
        },
      }),
    )
    server.registerResource(
      'readme',
      'docs://readme',
      { mimeType: 'text/plain' },
      router.resource({
        flag: FLAG,
        variants: {
          stable: (uri) => ({ contents: [{ uri: uri.href, text: 'v1' }] }),
          canary: (uri) => ({ contents: [{ uri: uri.href, text: 'v2' }] }),
        },
      }),
    )
    const c = track(await connectInMemory(server, { sessionId: 'p-1' }))
    const prompt = await c.client.getPrompt({ name: 'greet', arguments: { who: 'ada' } })
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'hi ada' })
    expect(variantOf(prompt)).toBe('canary')
    const resource = await c.client.readResource({ uri: 'docs://readme' })
    expect(resource.contents[0]).toMatchObject({ text: 'v2' })
    expect(variantOf(resource)).toBe('canary')
  })

  it('rejects a bad setup with FlagsError INVALID_CONFIG', () => {
    const evaluator = createEngine()
    const impl = () => text('x')
    const attempts: (() => unknown)[] = [
      () => createCanaryRouter({} as CanaryRouterOptions),
      () => canaryTool({ flag: '', evaluator, variants: { stable: impl } }),
      () => canaryTool({ flag: FLAG, evaluator, variants: {} }),
      () => canaryTool({ flag: FLAG, evaluator, variants: { v1: impl } }),
      () => canaryTool({ flag: FLAG, evaluator, variants: { stable: 'nope' as never } }),
      () =>
        canaryTool({ flag: FLAG, evaluator, variants: { stable: impl }, override: { allow: [] } }),
      () =>
        canaryTool({
          flag: FLAG,
          evaluator,
          variants: { stable: impl },
          override: { allow: ['canary'] },
        }),
      () =>
        canaryTool({
          flag: FLAG,
          evaluator,
          variants: { stable: impl },
          override: { header: 'bad header', allow: ['stable'] },
        }),
      () => canaryTool({ flag: FLAG, evaluator, variants: { stable: impl }, resultMetaKey: '/x' }),
      () =>
        canaryTool({
          flag: FLAG,
          evaluator,
          variants: { stable: impl },
          sessionKey: [{} as never],
        }),
    ]
    for (const attempt of attempts) {
      let thrown: unknown
      try {
        attempt()
      } catch (error) {
        thrown = error
      }
      expect(isFlagsError(thrown) && thrown.code).toBe('INVALID_CONFIG')
    }
    expect(() =>
      canaryTool({ flag: FLAG, evaluator, variants: { v1: impl }, baseline: 'v1' }),
    ).not.toThrow()
  })
})
