import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

/** The `_meta` key under which canarykit's router names the variant that served a result. */
export const VARIANT_META_KEY = 'io.canarykit/variant'

/** One settled `search` call as a client saw it. */
export interface ServedCall {
  /** Date.now() when the result arrived. */
  readonly at: number
  /** Index of the replica (in the `urls` given) that served it. */
  readonly replica: number
  readonly variant: string
  readonly isError: boolean
}

export interface TrafficOptions {
  /** Every replica's MCP endpoint; sessions go round-robin over them. */
  readonly urls: readonly string[]
  /** MCP sessions open at once (each a real client with its own HTTP session). */
  readonly concurrency: number
  readonly callsPerSession: number
}

/** Real MCP clients driving every replica until stopped. */
export interface Traffic {
  /** Every call so far (bounded: the oldest are dropped past 500,000). */
  readonly calls: readonly ServedCall[]
  sessions(): number
  /** Sessions that broke off on a transport or protocol error. */
  failures(): number
  /** Lets every open session finish its calls, then resolves. */
  stop(): Promise<void>
}

const MAX_CALLS = 500_000

/**
 * Starts `concurrency` workers; each opens an MCP session over Streamable HTTP on the next
 * replica, calls `search` `callsPerSession` times, ends the session with DELETE, and repeats.
 */
export function startTraffic(options: TrafficOptions): Traffic {
  const calls: ServedCall[] = []
  let sessions = 0
  let failures = 0
  let running = true
  let next = 0

  async function oneSession(replica: number, index: number): Promise<void> {
    const url = options.urls[replica] ?? ''
    const transport = new StreamableHTTPClientTransport(new URL(url))
    const client = new Client({ name: `fleet-client-${index}`, version: '1.0.0' })
    try {
      await client.connect(transport)
      for (let call = 0; call < options.callsPerSession && running; call++) {
        const result = await client.callTool({
          name: 'search',
          arguments: { q: `q${index}-${call}` },
        })
        const variant = result._meta?.[VARIANT_META_KEY]
        calls.push({
          at: Date.now(),
          replica,
          variant: typeof variant === 'string' ? variant : '',
          isError: result.isError === true,
        })
        if (calls.length > MAX_CALLS) calls.splice(0, calls.length - MAX_CALLS)
      }
      await transport.terminateSession()
      sessions++
    } catch {
      failures++
    } finally {
      await client.close().catch(() => undefined)
    }
  }

  async function worker(): Promise<void> {
    while (running) {
      const index = next++
      await oneSession(index % options.urls.length, index)
    }
  }

  const workers = Array.from({ length: options.concurrency }, worker)
  return {
    calls,
    sessions: () => sessions,
    failures: () => failures,
    async stop() {
      running = false
      await Promise.all(workers)
    },
  }
}

/**
 * Opens one fresh session on `url` and calls `search` `count` times: the variants it got. A new
 * session shows what the replica serves now (existing sessions keep their pin until a rollback).
 */
export async function probe(url: string, count: number): Promise<string[]> {
  const transport = new StreamableHTTPClientTransport(new URL(url))
  const client = new Client({ name: 'fleet-probe', version: '1.0.0' })
  try {
    await client.connect(transport)
    const variants: string[] = []
    for (let i = 0; i < count; i++) {
      const result = await client.callTool({ name: 'search', arguments: { q: `probe-${i}` } })
      const variant = result._meta?.[VARIANT_META_KEY]
      variants.push(typeof variant === 'string' ? variant : '')
    }
    await transport.terminateSession()
    return variants
  } finally {
    await client.close().catch(() => undefined)
  }
}
