import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

/** How the canary build behaves in this replica: as well as the baseline, or failing often. */
export type CanaryBehaviour = 'healthy' | 'failing'

/** The `search` tool's callback for one build: answers at once, or fails with `isError`. */
export type SearchImplementation = (args: { q: string }) => CallToolResult

/** A failing canary fails 2 calls in 5, in a fixed pattern: a run is the same every time. */
const FAILING_SHARE = { of: 5, fail: 2 } as const

/**
 * The two builds every replica deploys: `stable` (v1) never fails; `canary` (v2) behaves as
 * `behaviour` says. The guard sees the difference only through Prometheus.
 */
export function searchBuilds(behaviour: CanaryBehaviour): {
  stable: SearchImplementation
  canary: SearchImplementation
} {
  let calls = 0
  return {
    stable: ({ q }) => ({ content: [{ type: 'text', text: `v1: 3 results for "${q}"` }] }),
    canary: ({ q }) => {
      calls++
      if (behaviour === 'failing' && calls % FAILING_SHARE.of < FAILING_SHARE.fail) {
        return {
          isError: true,
          content: [{ type: 'text', text: `v2: the index is down ("${q}")` }],
        }
      }
      return { content: [{ type: 'text', text: `v2: 3 results for "${q}"` }] }
    },
  }
}
