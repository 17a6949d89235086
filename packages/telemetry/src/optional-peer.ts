import { createRequire } from 'node:module'
import { FlagsError } from '@canarykit/core'
import type * as OtelApiModule from '@opentelemetry/api'
import type * as PromClientModule from 'prom-client'

/*
 * prom-client and @opentelemetry/api are optional peers: a static import would make the whole
 * package fail to load for a user who installed only one of them. Each factory loads its peer
 * when called instead. Both ship CommonJS, and the OTel API keeps its global state under a
 * `Symbol.for` key, so a required copy shares tracers, meters and context with an imported one.
 */
const load = createRequire(import.meta.url)

export type PromClient = typeof PromClientModule
export type OtelApi = typeof OtelApiModule

/** prom-client, or a `FlagsError` saying to install it. */
export function loadPromClient(): PromClient {
  return peer<PromClient>('prom-client', '^15')
}

/** @opentelemetry/api, or a `FlagsError` saying to install it. */
export function loadOtelApi(): OtelApi {
  return peer<OtelApi>('@opentelemetry/api', '^1.9')
}

/** Node's module cache makes repeated loads cheap; factories call this once each. */
function peer<T>(name: string, range: string): T {
  try {
    return load(name) as T
  } catch (error) {
    throw new FlagsError(
      'INVALID_CONFIG',
      `@canarykit/telemetry needs the optional peer dependency ${name} (${range}) for this; install it`,
      { cause: error },
    )
  }
}
