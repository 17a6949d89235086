/*
 * Test harness: real MCP clients and servers, in memory and over Streamable HTTP on 127.0.0.1.
 * Everything returned has a close() that the tests call in afterEach/finally.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { METADATA_KEYS, rolloutFlag, type FlagsDocument } from '@canarykit/core'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, expect } from 'vitest'
import { z } from 'zod'
import type { CanaryRouter, RouteOptions } from '../src/canary-router.js'
import type { AnyToolCallback } from '../src/types.js'
import { VARIANT_META_KEY } from '../src/variant-meta.js'

export const FLAG = 'search-v2'

/** A text tool result. */
export function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] }
}

/**
 * An McpServer with a `search` tool routed by `router` between `stable:<q>` and `canary:<q>`
 * (or the given variants), and an unwrapped `plain` tool for comparisons.
 */
export function searchServer(
  router: CanaryRouter,
  options: Partial<RouteOptions<AnyToolCallback>> = {},
): McpServer {
  const server = new McpServer({ name: 'search-server', version: '1.0.0' })
  const shape = { q: z.string() }
  server.registerTool(
    'search',
    { description: 'Searches', inputSchema: shape },
    router.tool({
      name: 'search',
      flag: FLAG,
      variants: {
        stable: ({ q }) => text(`stable:${q}`),
        canary: ({ q }) => Promise.resolve(text(`canary:${q}`)),
      },
      ...(options as Partial<RouteOptions<(args: { q: string }) => CallToolResult>>),
    }),
  )
  return server
}

/** A flagd document with one stable/canary rollout flag. */
export function rolloutDocument(
  flagKey: string,
  percentage: number,
  pinEpoch?: number,
): FlagsDocument {
  const flag = rolloutFlag({
    variants: { baseline: ['stable', 'v1'], canary: ['canary', 'v2'] },
    percentage,
    ...(pinEpoch === undefined ? {} : { metadata: { [METADATA_KEYS.pinEpoch]: pinEpoch } }),
  })
  return { flags: { [flagKey]: flag } }
}

/** The text of a tool result's first content block. */
export function textOf(result: object): string {
  const [first] = (result as CallToolResult).content
  return first?.type === 'text' ? first.text : ''
}

/** The variant a routed result names in its `_meta`. */
export function variantOf(result: object): unknown {
  return (result as { _meta?: Record<string, unknown> })._meta?.[VARIANT_META_KEY]
}

export interface Connection {
  readonly client: Client
  close(): Promise<void>
}

/** Connects a client to `server` in memory; `sessionId`/`authInfo` simulate a transport's. */
export async function connectInMemory(
  server: McpServer,
  options: { sessionId?: string; authInfo?: AuthInfo } = {},
): Promise<Connection> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  if (options.sessionId !== undefined) serverTransport.sessionId = options.sessionId
  const { authInfo } = options
  if (authInfo !== undefined) {
    const send = clientTransport.send.bind(clientTransport)
    clientTransport.send = (message, sendOptions) => send(message, { ...sendOptions, authInfo })
  }
  await server.connect(serverTransport)
  const client = new Client({ name: 'test-client', version: '1.0.0' })
  await client.connect(clientTransport)
  return {
    client,
    close: async () => {
      await client.close()
      await server.close()
    },
  }
}

export interface HttpConnection extends Connection {
  readonly sessionId: string
  /** Ends the session with DELETE (fires the server's `onsessionclosed`), then closes. */
  terminate(): Promise<void>
}

export interface HttpHarness {
  readonly url: URL
  /** Sessions the server currently holds. */
  readonly sessions: () => number
  connect(headers?: Record<string, string>): Promise<HttpConnection>
  close(): Promise<void>
}

/**
 * A Streamable HTTP MCP server on 127.0.0.1: one transport and one McpServer (from
 * `makeServer`) per session, looked up by the `mcp-session-id` header.
 */
export async function startHttp(
  makeServer: () => McpServer,
  onSessionClosed: (sessionId: string) => void = () => undefined,
): Promise<HttpHarness> {
  const transports = new Map<string, StreamableHTTPServerTransport>()
  const servers = new Set<McpServer>()
  const clients = new Set<HttpConnection>()

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const header = req.headers['mcp-session-id']
    const sessionId = typeof header === 'string' ? header : undefined
    const body = req.method === 'POST' ? await readJson(req) : undefined
    let transport = sessionId === undefined ? undefined : transports.get(sessionId)
    if (transport === undefined && sessionId === undefined && isInitializeRequest(body)) {
      const server = makeServer()
      servers.add(server)
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, transport as StreamableHTTPServerTransport)
        },
        onsessionclosed: (id) => {
          transports.delete(id)
          onSessionClosed(id)
        },
      })
      await server.connect(transport)
    }
    if (transport === undefined) {
      res.writeHead(sessionId === undefined ? 400 : 404).end()
      return
    }
    await transport.handleRequest(req, res, body)
  }

  const http = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  const url = new URL(`http://127.0.0.1:${port}/mcp`)

  return {
    url,
    sessions: () => transports.size,
    async connect(headers = {}) {
      const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } })
      const client = new Client({ name: 'http-client', version: '1.0.0' })
      await client.connect(transport)
      const connection: HttpConnection = {
        client,
        sessionId: transport.sessionId as string,
        terminate: async () => {
          await transport.terminateSession()
          await connection.close()
        },
        close: async () => {
          clients.delete(connection)
          await client.close()
        },
      }
      clients.add(connection)
      return connection
    },
    async close() {
      await Promise.all([...clients].map((c) => c.close()))
      await Promise.all([...transports.values()].map((t) => t.close()))
      await Promise.all([...servers].map((s) => s.close()))
      http.closeAllConnections()
      await new Promise<void>((resolve, reject) =>
        http.close((error) => (error === undefined ? resolve() : reject(error))),
      )
    },
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text === '' ? undefined : (JSON.parse(text) as unknown)
}

/** Runs `task` over `items` with at most `limit` in flight; resolves to the results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index] as T, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/**
 * Per-file helpers for in-memory sessions: `session` connects one (closed after each test),
 * `track` registers a connection for that clean-up, and `search` calls the `search` tool and
 * checks that the implementation that ran is the one `_meta` names.
 */
export function inMemorySessions<O>(serverFor: (options: O) => McpServer) {
  const open: Connection[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()))
  })
  const track = (connection: Connection): Connection => {
    open.push(connection)
    return connection
  }
  const session = async (options: O, sessionId: string): Promise<Connection> =>
    track(await connectInMemory(serverFor(options), { sessionId }))
  const search = async (connection: Connection, q = 'x'): Promise<string> => {
    const result = await connection.client.callTool({ name: 'search', arguments: { q } })
    const served = textOf(result).split(':')[0] as string
    expect(variantOf(result)).toBe(served)
    return served
  }
  return { session, track, search }
}
