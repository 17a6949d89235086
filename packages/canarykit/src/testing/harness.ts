/*
 * Test harness: a flags file in a fresh temporary directory, real MCP sessions over the SDK's
 * in-memory transport (with a session id, as Streamable HTTP gives one), and a webhook receiver
 * on 127.0.0.1. Everything has a cleanup the tests call.
 */
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'

export const FLAG = 'search-v2'

export const FLAGS = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "search-v2": {
      "state": "ENABLED",
      "variants": { "stable": "v1", "canary": "v2" },
      "defaultVariant": "stable"
    }
  }
}
`

export interface TempDir {
  readonly dir: string
  readonly file: string
  write(text: string): Promise<void>
  read(): Promise<string>
  readJson(): Promise<Record<string, unknown>>
  remove(): Promise<void>
}

/** A temporary directory holding `flags.json` with `text`. */
export async function tempFlags(text = FLAGS): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), 'canarykit-'))
  const file = join(dir, 'flags.json')
  await writeFile(file, text)
  return {
    dir,
    file,
    write: (next) => writeFile(file, next),
    read: () => readFile(file, 'utf8'),
    readJson: async () => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>,
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}

export type Search = (args: { q: string }) => CallToolResult | Promise<CallToolResult>

export const text = (value: string): CallToolResult => ({
  content: [{ type: 'text', text: value }],
})

/** An McpServer, one per session, with `search` registered as `callback`. */
function searchServer(callback: Search): McpServer {
  const server = new McpServer({ name: 'search-server', version: '1.0.0' })
  server.registerTool('search', { inputSchema: { q: z.string() } }, callback)
  return server
}

/** The text of every call's first content block, for `calls` calls in session `sessionId`. */
export async function session(
  callback: Search,
  sessionId: string,
  calls: number,
): Promise<string[]> {
  const server = searchServer(callback)
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  serverTransport.sessionId = sessionId
  await server.connect(serverTransport)
  const client = new Client({ name: 'test-client', version: '1.0.0' })
  await client.connect(clientTransport)
  try {
    const texts: string[] = []
    for (let i = 0; i < calls; i++) {
      const result = (await client.callTool({
        name: 'search',
        arguments: { q: `q${i}` },
      })) as CallToolResult
      const [first] = result.content
      texts.push(first?.type === 'text' ? first.text : '')
    }
    return texts
  } finally {
    await client.close()
    await server.close()
  }
}

export interface LocalServer {
  readonly url: string
  close(): Promise<void>
}

/** A node:http server on 127.0.0.1 and a free port. */
export async function listen(handler: RequestListener): Promise<LocalServer> {
  const server: Server = createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export interface WebhookReceiver extends LocalServer {
  /** The JSON bodies received, in order. */
  readonly bodies: Record<string, unknown>[]
}

/** A webhook endpoint that answers 200 and keeps what it received. */
export async function webhookReceiver(): Promise<WebhookReceiver> {
  const bodies: Record<string, unknown>[] = []
  const server = await listen((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
      res.writeHead(200).end('ok')
    })
  })
  return { ...server, bodies }
}

/** Polls `check` every 20 ms until it is true, at most `timeoutMs`; false if it never was. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
