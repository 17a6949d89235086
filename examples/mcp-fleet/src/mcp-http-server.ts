import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { MetricsHandler } from 'canarykit'
import { z } from 'zod'

/** The `search` tool's callback as McpServer.registerTool takes it. */
export type SearchCallback = ToolCallback<{ q: z.ZodString }>

export interface McpHttpServerOptions {
  /** The routed `search` callback every session's McpServer registers. */
  readonly search: SearchCallback
  /** Serves `/metrics` on the same port (what Prometheus scrapes). */
  readonly metricsHandler: MetricsHandler
  /** A session ended (DELETE, or the transport closed). */
  readonly onSessionClosed: (sessionId: string) => void
}

/** One replica's MCP endpoint: Streamable HTTP on 127.0.0.1, one McpServer per session. */
export interface McpHttpServer {
  readonly url: string
  readonly metricsUrl: string
  close(): Promise<void>
}

/**
 * Starts the server on a free port. `/mcp` speaks MCP over Streamable HTTP (POST and DELETE;
 * GET answers 405, which the spec allows: this server never opens a stream of its own);
 * `/metrics` serves Prometheus. The same shape as examples/mcp-canary-demo's server.
 */
export async function startMcpHttpServer(options: McpHttpServerOptions): Promise<McpHttpServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>()
  const servers = new Set<McpServer>()

  async function openSession(req: IncomingMessage, res: ServerResponse, body: unknown) {
    const server = new McpServer({ name: 'canarykit-fleet-replica', version: '1.0.0' })
    server.registerTool(
      'search',
      {
        description: 'Searches the docs; routed to stable or canary by the shared flags file',
        inputSchema: { q: z.string() },
      },
      options.search,
    )
    servers.add(server)
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => void transports.set(id, transport),
    })
    // Set before connect: the SDK chains its own close handling after it.
    transport.onclose = () => {
      const id = transport.sessionId
      if (id !== undefined && transports.delete(id)) options.onSessionClosed(id)
      if (servers.delete(server)) void server.close()
    }
    await server.connect(transport)
    await transport.handleRequest(req, res, body)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path === '/metrics') return options.metricsHandler(req, res)
    if (path !== '/mcp') return void res.writeHead(404).end('try /mcp or /metrics\n')
    if (req.method === 'GET') return void res.writeHead(405, { allow: 'POST, DELETE' }).end()
    const header = req.headers['mcp-session-id']
    const id = typeof header === 'string' ? header : undefined
    const body = req.method === 'POST' ? await readJson(req) : undefined
    const transport = id === undefined ? undefined : transports.get(id)
    if (transport !== undefined) {
      await transport.handleRequest(req, res, body)
      // DELETE ends the session; the SDK answers it but leaves closing to the application.
      if (req.method === 'DELETE') await transport.close()
      return
    }
    if (id === undefined && isInitializeRequest(body))
      return void (await openSession(req, res, body))
    res.writeHead(id === undefined ? 400 : 404).end()
  }

  const http = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  const { port } = http.address() as AddressInfo
  const base = `http://127.0.0.1:${port}`
  return {
    url: `${base}/mcp`,
    metricsUrl: `${base}/metrics`,
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close()))
      await Promise.all([...servers].map((s) => s.close()))
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
