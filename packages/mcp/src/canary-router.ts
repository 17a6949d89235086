import { FlagsError, type Logger, type OutcomeSink, type VariantEvaluator } from '@canarykit/core'
import type { ContextMapper } from './decide.js'
import { overrideOf, type HeaderOverrideOptions } from './header-override.js'
import { createPinStore, type PinStore } from './pin-store.js'
import { route, type Implementation } from './route.js'
import { DEFAULT_SESSION_KEY, sessionKeyOf, type SessionKeySource } from './session-key.js'
import type {
  AnyCallback,
  AnyPromptCallback,
  AnyResourceCallback,
  AnyToolCallback,
  CallInterceptor,
  RoutedMethod,
} from './types.js'
import { checkMetaKey, VARIANT_META_KEY } from './variant-meta.js'

/**
 * Options shared by every route of a router.
 *
 * @example
 * const options: CanaryRouterOptions = { evaluator: engine, sinks: [recorder], override: false }
 */
export interface CanaryRouterOptions {
  /** Resolves a flag to a variant: the core engine, or `openFeatureEvaluator(client)`. */
  readonly evaluator: VariantEvaluator
  /** Receive one outcome per call and one assignment per newly pinned session. */
  readonly sinks?: OutcomeSink | readonly OutcomeSink[]
  /** Wrap the chosen implementation's execution, first one outermost. */
  readonly interceptors?: readonly CallInterceptor[]
  /** Sticky pins; pass one store to share pins between routers. Default: a new bounded store. */
  readonly pins?: PinStore
  /** Where the bucketing key comes from. Default `['sessionId', 'clientId', 'connection']`. */
  readonly sessionKey?: readonly SessionKeySource[]
  /** Adds targeting attributes to the evaluation context. */
  readonly context?: ContextMapper
  /** The manual-testing header override. Default: off. */
  readonly override?: HeaderOverrideOptions | false
  /** Monotonic milliseconds, for latencies and pin expiry. Default `performance.now`. */
  readonly clock?: () => number
  /** Receives warnings (an evaluator or sink that threw). Default: silent. */
  readonly logger?: Logger
  /** The result `_meta` key naming the served variant; `false`: add none. */
  readonly resultMetaKey?: string | false
}

/**
 * Options for one routed tool, prompt or resource.
 *
 * @example
 * router.tool({ name: 'search', flag: 'search-v2', variants: { stable: v1, canary: v2 }, success: (r) => !r.isError && r.content.length > 0 })
 */
export interface RouteOptions<F extends AnyCallback> {
  /** The flag whose variant names pick the implementation. */
  readonly flag: string
  /** One implementation per variant name. */
  readonly variants: Readonly<Record<string, F>>
  /** The variant served whenever the flag gives no usable variant. Default `stable`. */
  readonly baseline?: string
  /** The operation name in outcomes and interceptors, e.g. the tool's name. Default: the flag key. */
  readonly name?: string
  /** Tool-level success of a non-error result, e.g. "returned at least one hit". */
  readonly success?: (result: Awaited<ReturnType<F>>) => boolean
  /** Overrides the router's header override for this route. */
  readonly override?: HeaderOverrideOptions | false
}

/**
 * Routes several tools, prompts and resources with shared pins, sinks and settings.
 *
 * @example
 * const router: CanaryRouter = createCanaryRouter({ evaluator: engine })
 * server.registerPrompt('greet', { argsSchema: { who: z.string() } }, router.prompt({ flag: 'greet-v2', variants: { stable: greetV1, canary: greetV2 } }))
 */
export interface CanaryRouter {
  /** A `registerTool` callback that routes each call to one of `variants`. */
  tool<F extends AnyToolCallback>(options: RouteOptions<F>): F
  /** A `registerPrompt` callback that routes each request to one of `variants`. */
  prompt<F extends AnyPromptCallback>(options: RouteOptions<F>): F
  /** A `registerResource` read callback that routes each read to one of `variants`. */
  resource<F extends AnyResourceCallback>(options: RouteOptions<F>): F
  /** Forgets a session's pins; call it from Streamable HTTP's `onsessionclosed`. */
  releaseSession(unitKey: string): void
  readonly pins: PinStore
}

/**
 * Creates a router: one pin store, sink list and session-key chain for any number of routed
 * tools. Create it once, outside a per-session server factory, so every session shares it.
 *
 * @example
 * const router = createCanaryRouter({ evaluator: engine, sinks: recorder })
 * server.registerTool('search', { inputSchema: { q: z.string() } },
 *   router.tool({ name: 'search', flag: 'search-v2', variants: { stable: searchV1, canary: searchV2 } }))
 */
export function createCanaryRouter(options: CanaryRouterOptions): CanaryRouter {
  if (typeof (options as Partial<CanaryRouterOptions>).evaluator?.resolveVariant !== 'function') {
    throw new FlagsError(
      'INVALID_CONFIG',
      'evaluator must have a resolveVariant(flagKey, context) method',
    )
  }
  const clock = options.clock ?? (() => performance.now())
  const pins = options.pins ?? createPinStore({ clock })
  const keyOf = sessionKeyOf(options.sessionKey ?? DEFAULT_SESSION_KEY)
  const sinks = options.sinks === undefined ? [] : ([] as OutcomeSink[]).concat(options.sinks)
  const metaKey =
    options.resultMetaKey === false
      ? undefined
      : checkMetaKey(options.resultMetaKey ?? VARIANT_META_KEY)
  const logger = options.logger ?? {}

  function build<F extends AnyCallback>(method: RoutedMethod, o: RouteOptions<F>): F {
    const flagKey = (o as Partial<RouteOptions<F>>).flag
    if (typeof flagKey !== 'string' || flagKey === '') {
      throw new FlagsError('INVALID_CONFIG', 'flag must be a non-empty string')
    }
    const implementations = implementationsOf(flagKey, o.variants)
    const baseline = o.baseline ?? 'stable'
    if (!implementations.has(baseline)) {
      throw new FlagsError(
        'INVALID_CONFIG',
        `flag ${JSON.stringify(flagKey)}: the baseline ${JSON.stringify(baseline)} has no implementation (set baseline to one of ${[...implementations.keys()].join(', ')})`,
      )
    }
    const variants = new Set(implementations.keys())
    const success = o.success as ((result: unknown) => boolean) | undefined
    const routed = route({
      method,
      operation: o.name ?? flagKey,
      flagKey,
      baseline,
      variants,
      implementations,
      evaluator: options.evaluator,
      pins,
      pinsShareClock: options.pins === undefined,
      keyOf,
      contextOf: options.context,
      overrideOf: overrideOf(o.override ?? options.override, variants, flagKey),
      sinks,
      interceptors: options.interceptors ?? [],
      success,
      isError: method === 'tools/call' ? isErrorResult : never,
      clock,
      metaKey,
      logger,
    })
    return routed as unknown as F
  }

  return {
    tool: (o) => build('tools/call', o),
    prompt: (o) => build('prompts/get', o),
    resource: (o) => build('resources/read', o),
    releaseSession: (unitKey) => {
      pins.release(unitKey)
    },
    pins,
  }
}

/**
 * Wraps tool implementations into one `registerTool` callback that routes each call by flag
 * variant, sticky per session. Shorthand for `createCanaryRouter(options).tool(options)`: use a
 * router when several tools should share pins and `releaseSession`.
 *
 * @example
 * server.registerTool('search', { description: 'Search the docs', inputSchema: { q: z.string() } },
 *   canaryTool({ flag: 'search-v2', variants: { stable: searchV1, canary: searchV2 }, evaluator: engine }))
 */
export function canaryTool<F extends AnyToolCallback>(
  options: RouteOptions<F> & CanaryRouterOptions,
): F {
  return createCanaryRouter(options).tool(options)
}

function implementationsOf(flagKey: string, variants: unknown): Map<string, Implementation> {
  const entries = typeof variants === 'object' && variants !== null ? Object.entries(variants) : []
  if (entries.length === 0) {
    throw new FlagsError(
      'INVALID_CONFIG',
      `flag ${JSON.stringify(flagKey)}: variants must name at least one implementation`,
    )
  }
  const implementations = new Map<string, Implementation>()
  for (const [variant, implementation] of entries) {
    if (typeof implementation !== 'function') {
      throw new FlagsError(
        'INVALID_CONFIG',
        `flag ${JSON.stringify(flagKey)}: variant ${JSON.stringify(variant)} is not a function`,
      )
    }
    implementations.set(variant, implementation as Implementation)
  }
  return implementations
}

function isErrorResult(result: unknown): boolean {
  return (result as { isError?: unknown } | null | undefined)?.isError === true
}

function never(): boolean {
  return false
}
