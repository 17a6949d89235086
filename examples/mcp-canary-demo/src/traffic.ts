import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

export interface TrafficOptions {
  readonly url: string
  /** MCP sessions open at once (each a real client with its own HTTP session). */
  readonly concurrency: number
  readonly callsPerSession: number
  /** Names the queries, so runs with one seed send the same calls. */
  readonly seed: number
}

export interface TrafficStats {
  readonly sessions: number
  readonly calls: number
  /** Tool results with `isError` (the implementation failed). */
  readonly toolErrors: number
  /** Sessions that broke off on a transport or protocol error. */
  readonly failures: number
}

/** Real MCP clients driving the server until stopped. */
export interface Traffic {
  stats(): TrafficStats
  /** Lets every open session finish its calls, then resolves. */
  stop(): Promise<void>
}

/**
 * Starts `concurrency` workers; each opens an MCP session over Streamable HTTP, calls `search`
 * `callsPerSession` times, ends the session with DELETE, and starts the next one.
 */
export function startTraffic(options: TrafficOptions): Traffic {
  const stats = { sessions: 0, calls: 0, toolErrors: 0, failures: 0 }
  let running = true
  let started = 0
  const url = new URL(options.url)

  async function oneSession(index: number): Promise<void> {
    const transport = new StreamableHTTPClientTransport(url)
    const client = new Client({ name: `demo-client-${index}`, version: '1.0.0' })
    try {
      await client.connect(transport)
      for (let call = 0; call < options.callsPerSession; call++) {
        const q = `query ${options.seed}-${index}-${call}`
        const result = await client.callTool({ name: 'search', arguments: { q } })
        stats.calls++
        if (result.isError === true) stats.toolErrors++
      }
      await transport.terminateSession()
      stats.sessions++
    } catch {
      stats.failures++
    } finally {
      await client.close().catch(() => undefined)
    }
  }

  async function worker(): Promise<void> {
    while (running) await oneSession(started++)
  }

  const workers = Array.from({ length: options.concurrency }, worker)
  return {
    stats: () => ({ ...stats }),
    async stop() {
      running = false
      await Promise.all(workers)
    },
  }
}
