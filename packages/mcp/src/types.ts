import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type {
  CallToolResult,
  GetPromptResult,
  ReadResourceResult,
  ServerNotification,
  ServerRequest,
} from '@modelcontextprotocol/sdk/types.js'

/**
 * The `extra` argument McpServer passes to every tool, prompt and resource callback.
 *
 * @example
 * const searchV2 = async ({ q }: { q: string }, extra: RequestExtra) => search(q, { signal: extra.signal })
 */
export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>

/**
 * Any tool callback: `(args, extra)` with an input schema, `(extra)` without. `never[]` accepts
 * every parameter list, so the callback's own type (inferred from `registerTool`) is kept.
 *
 * @example
 * const impls: Record<string, AnyToolCallback> = { stable: searchV1, canary: searchV2 }
 */
export type AnyToolCallback = (...params: never[]) => CallToolResult | Promise<CallToolResult>

/**
 * Any prompt callback: `(args, extra)` with an args schema, `(extra)` without.
 *
 * @example
 * const greet: AnyPromptCallback = () => ({ messages: [] })
 */
export type AnyPromptCallback = (...params: never[]) => GetPromptResult | Promise<GetPromptResult>

/**
 * Any resource read callback: `(uri, extra)`, or `(uri, variables, extra)` for a template.
 *
 * @example
 * const readme: AnyResourceCallback = () => ({ contents: [] })
 */
export type AnyResourceCallback = (
  ...params: never[]
) => ReadResourceResult | Promise<ReadResourceResult>

/** The callbacks canarykit can route: whatever McpServer calls with `extra` as the last argument. */
export type AnyCallback = AnyToolCallback | AnyPromptCallback | AnyResourceCallback

/** The MCP method a routed callback serves. */
export type RoutedMethod = 'tools/call' | 'prompts/get' | 'resources/read'

/** The router's interceptor contract lives in core (shared by @canarykit/mcp and @canarykit/telemetry). */
export type { CallInterceptor, RoutedCall } from '@canarykit/core'
