import { createEngine } from '@canarykit/core'
import { McpServer, type ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { canaryTool, createCanaryRouter } from './canary-router.js'
import type { RequestExtra } from './types.js'

const evaluator = createEngine()
const server = new McpServer({ name: 'types', version: '1.0.0' })
const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] })

describe('canaryTool types', () => {
  it('types args from a raw-shape inputSchema, exactly as registerTool does unwrapped', () => {
    const shape = { q: z.string(), limit: z.number().optional() }
    type Unwrapped = Parameters<ToolCallback<typeof shape>>[0]
    server.registerTool(
      'search',
      { inputSchema: shape },
      canaryTool({
        flag: 'search-v2',
        evaluator,
        variants: {
          stable: (args, extra) => {
            expectTypeOf(args).toEqualTypeOf<Unwrapped>()
            expectTypeOf(extra).toEqualTypeOf<RequestExtra>()
            return text(args.q)
          },
          canary: (args) => Promise.resolve(text(args.q)),
        },
      }),
    )
  })

  it('types args from an object inputSchema', () => {
    server.registerTool(
      'toggle',
      { inputSchema: z.object({ on: z.boolean() }) },
      canaryTool({
        flag: 'toggle-v2',
        evaluator,
        variants: {
          stable: (args) => {
            expectTypeOf(args).toEqualTypeOf<{ on: boolean }>()
            return text(String(args.on))
          },
        },
      }),
    )
  })

  it('passes only extra to a tool without inputSchema', () => {
    server.registerTool(
      'ping',
      {},
      canaryTool({
        flag: 'ping-v2',
        evaluator,
        variants: {
          stable: (extra) => {
            expectTypeOf(extra).toEqualTypeOf<RequestExtra>()
            return text('pong')
          },
        },
      }),
    )
  })

  it('returns the implementations’ own callback type', () => {
    type Shape = { q: z.ZodString }
    const v1: ToolCallback<Shape> = (args) => text(args.q)
    const v2: ToolCallback<Shape> = (args) => text(args.q.toUpperCase())
    const routed = canaryTool({ flag: 'f', evaluator, variants: { stable: v1, canary: v2 } })
    expectTypeOf(routed).toEqualTypeOf<ToolCallback<Shape>>()
  })

  it('rejects implementations whose args do not match the schema', () => {
    const v1: ToolCallback<{ q: z.ZodString }> = (args) => text(args.q)
    server.registerTool(
      'mismatch',
      // @ts-expect-error the implementation reads `q`, the schema has `n`
      { inputSchema: { n: z.number() } },
      canaryTool({ flag: 'f', evaluator, variants: { stable: v1 } }),
    )
  })

  it('types router prompts and resources from their registration', () => {
    const router = createCanaryRouter({ evaluator })
    server.registerPrompt(
      'greet',
      { argsSchema: { who: z.string() } },
      router.prompt({
        flag: 'greet-v2',
        variants: {
          stable: (args) => {
            expectTypeOf(args).toEqualTypeOf<{ who: string }>()
            return { messages: [] }
          },
        },
      }),
    )
    server.registerResource(
      'readme',
      'docs://readme',
      {},
      router.resource({
        flag: 'readme-v2',
        variants: {
          stable: (uri, extra) => {
            expectTypeOf(uri).toEqualTypeOf<URL>()
            expectTypeOf(extra).toEqualTypeOf<RequestExtra>()
            return { contents: [] }
          },
        },
      }),
    )
  })

  it('types the success predicate by the result', () => {
    const impl: ToolCallback = () => text('x')
    canaryTool({
      flag: 'f',
      evaluator,
      variants: { stable: impl },
      success: (result) => {
        expectTypeOf(result).toEqualTypeOf<CallToolResult>()
        return result.content.length > 0
      },
    })
  })
})
