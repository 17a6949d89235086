import type { Attributes, Span, Tracer } from '@opentelemetry/api'
import { loadOtelApi } from './optional-peer.js'
import { ATTR } from './semconv.js'
import type { CallInterceptor, RoutedCall } from './types.js'

/**
 * Options for {@link tracingInterceptor}.
 *
 * @example
 * tracingInterceptor({ tracer: trace.getTracer('mcp-server'), sessionId: true })
 */
export interface TracingInterceptorOptions {
  /** Default: `trace.getTracer('@canarykit/telemetry')` from the global tracer provider. */
  readonly tracer?: Tracer
  /**
   * Add `mcp.session.id`. Default `false`: a session id links every call of one client, so
   * exporting it is opt-in.
   */
  readonly sessionId?: boolean
}

/**
 * A router interceptor that runs each routed call in a span named `tools/call <tool>` (MCP
 * semantic conventions, kind INTERNAL: it wraps the chosen implementation, inside whatever
 * server span the transport has), with the feature-flag attributes. The implementation runs in
 * the span's context, so its own spans nest. A throw sets status ERROR, `error.type` and an
 * exception event, and is rethrown; an `isError: true` result sets status ERROR and
 * `error.type: tool_error`.
 *
 * @example
 * const router = createCanaryRouter({ evaluator: engine, interceptors: [tracingInterceptor()] })
 */
export function tracingInterceptor(options: TracingInterceptorOptions = {}): CallInterceptor {
  const { trace, context, SpanKind, SpanStatusCode } = loadOtelApi()
  const tracer = options.tracer ?? trace.getTracer('@canarykit/telemetry')
  const withSession = options.sessionId === true

  function failed(span: Span, error: unknown): void {
    try {
      span.setAttribute(ATTR.errorType, errorType(error))
      if (error instanceof Error) span.recordException(error)
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      })
      span.end()
    } catch {
      // Tracing must not change what the caller sees.
    }
  }

  function succeeded(span: Span, result: unknown): void {
    try {
      if ((result as { isError?: unknown } | null | undefined)?.isError === true) {
        span.setAttribute(ATTR.errorType, 'tool_error')
        span.setStatus({ code: SpanStatusCode.ERROR })
      }
      span.end()
    } catch {
      // As above.
    }
  }

  return <T>(call: RoutedCall, next: () => Promise<T>): Promise<T> => {
    let span: Span
    try {
      span = tracer.startSpan(`${call.method} ${call.operation}`, {
        kind: SpanKind.INTERNAL,
        attributes: spanAttributes(call, withSession),
      })
    } catch {
      return next()
    }
    const inSpan = trace.setSpan(context.active(), span)
    // A non-recording span (no SDK, or sampled out) still carries the trace context to the
    // implementation, but has nothing to end or mark: skip the extra promise hop.
    if (!span.isRecording()) return context.with(inSpan, next)
    let pending: Promise<T>
    try {
      pending = context.with(inSpan, next)
    } catch (error) {
      failed(span, error)
      throw error
    }
    return pending.then(
      (result) => {
        succeeded(span, result)
        return result
      },
      (error: unknown) => {
        failed(span, error)
        throw error
      },
    )
  }
}

function spanAttributes(call: RoutedCall, withSession: boolean): Attributes {
  const attributes: Attributes = {
    [ATTR.mcpMethod]: call.method,
    [ATTR.flagKey]: call.flagKey,
    [ATTR.variant]: call.variant,
    [ATTR.reason]: call.reason.toLowerCase(),
  }
  if (call.method === 'tools/call') {
    attributes[ATTR.toolName] = call.operation
    attributes[ATTR.operationName] = 'execute_tool'
  } else if (call.method === 'prompts/get') {
    attributes[ATTR.promptName] = call.operation
  }
  if (withSession && call.sessionId !== undefined) attributes[ATTR.mcpSessionId] = call.sessionId
  return attributes
}

/** Low-cardinality: a JSON-RPC or system error code when there is one, else the error's name. */
function errorType(error: unknown): string {
  if (!(error instanceof Error)) return '_OTHER'
  const code = (error as { code?: unknown }).code
  return typeof code === 'number' || typeof code === 'string' ? String(code) : error.name
}
