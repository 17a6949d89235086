import { randomUUID } from 'node:crypto'
import { FlagsError } from '@canarykit/core'
import type { RequestExtra } from './types.js'

/**
 * Where the bucketing key of a call comes from, tried in order until one yields a non-empty
 * string:
 * - `'sessionId'`: the transport's session (Streamable HTTP, stateful).
 * - `'clientId'`: `authInfo.clientId` of the validated access token.
 * - `{ meta: key }`: a string the client sends in the request's `_meta` (client-chosen).
 * - `{ header: name }`: an HTTP request header (client-chosen).
 * - `'connection'`: one id per router, for calls without HTTP request info (stdio, in-memory):
 *   a stdio server has one connection per process. Never used for HTTP calls.
 * - a function of the request's `extra`.
 *
 * @example
 * const sessionKey: SessionKeySource[] = ['sessionId', 'clientId', { meta: 'com.example/user' }, 'connection']
 */
export type SessionKeySource =
  | 'sessionId'
  | 'clientId'
  | 'connection'
  | { readonly meta: string }
  | { readonly header: string }
  | ((extra: RequestExtra) => string | undefined)

/** Finds a call's bucketing key, or `undefined` when no source yields one. */
export type SessionKeyOf = (extra: RequestExtra) => string | undefined

/**
 * The default chain: the MCP session, else the OAuth client, else the stdio connection.
 *
 * @example
 * createCanaryRouter({ evaluator: engine, sessionKey: [...DEFAULT_SESSION_KEY, { header: 'x-user-id' }] })
 */
export const DEFAULT_SESSION_KEY: readonly SessionKeySource[] = [
  'sessionId',
  'clientId',
  'connection',
]

/** Compiles a source chain into one function; throws `FlagsError` for an unknown source. */
export function sessionKeyOf(chain: readonly SessionKeySource[]): SessionKeyOf {
  const readers = chain.map(reader)
  if (readers.length === 1) return readers[0] as SessionKeyOf
  return (extra) => {
    for (const read of readers) {
      const key = read(extra)
      if (key !== undefined) return key
    }
    return undefined
  }
}

function reader(source: SessionKeySource): SessionKeyOf {
  if (typeof source === 'function') return (extra) => nonEmpty(safely(source, extra))
  if (source === 'sessionId') return (extra) => nonEmpty(extra.sessionId)
  if (source === 'clientId') return (extra) => nonEmpty(extra.authInfo?.clientId)
  if (source === 'connection') {
    const id = `connection-${randomUUID()}`
    return (extra) => (extra.requestInfo === undefined ? id : undefined)
  }
  if (typeof source === 'object' && source !== null) {
    if ('meta' in source && typeof source.meta === 'string') {
      const key = source.meta
      return (extra) => scalar(extra._meta?.[key])
    }
    if ('header' in source && typeof source.header === 'string') {
      const name = source.header.toLowerCase()
      return (extra) => scalar(extra.requestInfo?.headers[name])
    }
  }
  throw new FlagsError('INVALID_CONFIG', `unknown session key source ${JSON.stringify(source)}`)
}

function safely(read: (extra: RequestExtra) => string | undefined, extra: RequestExtra): unknown {
  try {
    return read(extra)
  } catch {
    return undefined
  }
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function scalar(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : nonEmpty(value)
}
