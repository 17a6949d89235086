import type { ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { z } from 'zod'
import { normal, streamFor } from './random.js'

/** The `search` tool's callback, as McpServer.registerTool takes it. */
export type SearchTool = ToolCallback<{ q: z.ZodString }>

/** How one build of the search tool behaves: a log-normal latency, a slow path, errors. */
export interface Build {
  readonly name: string
  readonly summary: string
  readonly medianMs: number
  /** Log-normal shape: p99 ≈ median × e^(2.33·sigma). */
  readonly sigma: number
  readonly errorRate: number
  /** Share of calls that take `slowMs` longer (cache misses, a slow path). */
  readonly slowShare: number
  readonly slowMs: number
}

/** Three builds of one tool: the first release, a healthy successor, a regressing one. */
export const BUILDS = {
  v1: {
    name: 'v1',
    summary: 'the current search; 3 % of calls miss its cache and take 250 ms longer',
    medianMs: 15,
    sigma: 0.3,
    errorRate: 0.003,
    slowShare: 0.03,
    slowMs: 250,
  },
  v2: {
    name: 'v2',
    summary: 'a new index: faster, no cache misses',
    medianMs: 8,
    sigma: 0.3,
    errorRate: 0.0005,
    slowShare: 0,
    slowMs: 0,
  },
  v3: {
    name: 'v3',
    summary: 'with an injected regression: 12 % errors, 10 % of calls 250 ms slower',
    medianMs: 8,
    sigma: 0.3,
    errorRate: 0.12,
    slowShare: 0.1,
    slowMs: 250,
  },
} as const satisfies Record<string, Build>

/**
 * The `search` tool as `build` implements it. Each call's latency and outcome come from a
 * stream seeded by the run's seed, the session and the query, so a seed replays the same calls.
 */
export function searchTool(build: Build, seed: number): SearchTool {
  return async ({ q }, extra): Promise<CallToolResult> => {
    const random = streamFor(seed, build.name, extra.sessionId ?? '', q)
    let ms = build.medianMs * Math.exp(build.sigma * normal(random))
    if (random() < build.slowShare) ms += build.slowMs
    const fails = random() < build.errorRate
    await sleep(ms, extra.signal)
    if (fails) {
      return {
        isError: true,
        content: [{ type: 'text', text: `${build.name}: the search backend failed for "${q}"` }],
      }
    }
    return { content: [{ type: 'text', text: `${build.name}: 3 results for "${q}"` }] }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
