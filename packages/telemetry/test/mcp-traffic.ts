/*
 * Real MCP traffic for tests: McpServer + Client over InMemoryTransport (one server per
 * session, as with Streamable HTTP), a `search` tool routed by @canarykit/mcp between a
 * healthy `stable` and a broken `canary` implementation.
 */
import { rolloutFlag, type FlagsDocument } from '@canarykit/core'
import { createCanaryRouter, type CanaryRouterOptions } from '@canarykit/mcp'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'

export const FLAG = 'search-v2'
export const TOOL = 'search'

/** A flagd document with one stable/canary rollout flag at `percentage` % canary. */
export function rolloutDocument(percentage: number): FlagsDocument {
  const flag = rolloutFlag({
    variants: { baseline: ['stable', 'v1'], canary: ['canary', 'v2'] },
    percentage,
  })
  return { flags: { [FLAG]: flag } }
}

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] })
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * `stable` always answers with hits. `canary` cycles through: hits, no hits (a `failure` by the
 * success predicate), an `isError` result, a throw (both `error`), and is slower. Both call
 * `onCall` after their first await.
 */
export function searchServer(
  options: CanaryRouterOptions,
  onCall?: (q: string) => void,
): {
  make: () => McpServer
} {
  const router = createCanaryRouter(options)
  let canaryCalls = 0
  const make = (): McpServer => {
    const server = new McpServer({ name: 'search-server', version: '1.0.0' })
    server.registerTool(
      TOOL,
      { description: 'Searches', inputSchema: { q: z.string() } },
      router.tool({
        name: TOOL,
        flag: FLAG,
        variants: {
          stable: async ({ q }: { q: string }) => {
            await sleep(1)
            onCall?.(q)
            return text(`stable: 3 hits for ${q}`)
          },
          canary: async ({ q }: { q: string }) => {
            await sleep(3)
            onCall?.(q)
            const turn = canaryCalls++ % 4
            if (turn === 1) return text('canary: no hits')
            if (turn === 2) return { ...text('canary: backend down'), isError: true }
            if (turn === 3) throw new Error('canary exploded')
            return text(`canary: 2 hits for ${q}`)
          },
        },
        success: (result: CallToolResult) =>
          !(result.content[0]?.type === 'text' && result.content[0].text.includes('no hits')),
      }),
    )
    return server
  }
  return { make }
}

export interface Session {
  readonly client: Client
  search(q?: string): Promise<CallToolResult>
  close(): Promise<void>
}

/** Connects a client to a fresh server from `make`, with the given MCP session id. */
export async function connect(make: () => McpServer, sessionId: string): Promise<Session> {
  const server = make()
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  serverTransport.sessionId = sessionId
  await server.connect(serverTransport)
  const client = new Client({ name: 'traffic', version: '1.0.0' })
  await client.connect(clientTransport)
  return {
    client,
    search: async (q = 'mcp') =>
      (await client.callTool({ name: TOOL, arguments: { q } })) as CallToolResult,
    close: async () => {
      await client.close()
      await server.close()
    },
  }
}
