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

/*
 * RoutedCall and CallInterceptor mirror core's contracts of the same names (contracts.ts), which
 * core's public entry point does not export yet. They are structurally identical, so an
 * interceptor written against either one fits both.
 */

/**
 * A call the router is about to serve, as interceptors (tracing, metrics) see it.
 *
 * @example
 * const log: CallInterceptor = async (call, next) => { console.log(call.operation, call.variant); return next() }
 */
export interface RoutedCall {
  /** The MCP method, e.g. `tools/call`. */
  readonly method: string
  /** The tool (or prompt/resource) name. */
  readonly operation: string
  readonly flagKey: string
  readonly variant: string
  /** Why this variant: the evaluation reason, `STICKY` for a pinned session, `OVERRIDE` for a header. */
  readonly reason: string
  /** The MCP session id, when the transport has one. */
  readonly sessionId?: string
  readonly overridden: boolean
}

/**
 * Wraps the execution of the chosen implementation (e.g. in an OpenTelemetry span, so the
 * implementation's own spans nest inside it). Must call `next` exactly once and return its result.
 *
 * @example
 * const timed: CallInterceptor = async (call, next) => {
 *   const span = tracer.startSpan(`tools/call ${call.operation}`)
 *   try { return await next() } finally { span.end() }
 * }
 */
export type CallInterceptor = <T>(call: RoutedCall, next: () => Promise<T>) => Promise<T>
