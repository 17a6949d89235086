import { describe, expect, it } from 'vitest'
import { sessionKeyOf } from './session-key.js'
import type { RequestExtra } from './types.js'

const extra = (over: Partial<RequestExtra>): RequestExtra =>
  ({ signal: new AbortController().signal, requestId: 1, ...over }) as RequestExtra
const http = { headers: { 'x-user': 'u-1', 'x-many': ['a', 'b'] } }
const auth = { token: 't', clientId: 'c-1', scopes: [] }

describe('sessionKeyOf', () => {
  it('takes the first source that yields a non-empty key', () => {
    const keyOf = sessionKeyOf(['sessionId', 'clientId', { meta: 'user' }, { header: 'X-User' }])
    expect(keyOf(extra({ sessionId: 's-1', authInfo: auth }))).toBe('s-1')
    expect(keyOf(extra({ sessionId: '', authInfo: auth }))).toBe('c-1')
    expect(keyOf(extra({ _meta: { user: 42 } }))).toBe('42')
    expect(keyOf(extra({ _meta: { user: { nested: true } }, requestInfo: http }))).toBe('u-1')
    expect(keyOf(extra({}))).toBeUndefined()
  })

  it('ignores multi-valued headers and custom sources that throw', () => {
    const keyOf = sessionKeyOf([
      () => {
        throw new Error('bug')
      },
      { header: 'x-many' },
      (e) => e.requestInfo?.url?.searchParams.get('session') ?? undefined,
    ])
    const url = new URL('http://127.0.0.1/mcp?session=q-1')
    expect(keyOf(extra({ requestInfo: { ...http, url } }))).toBe('q-1')
  })

  it('gives one connection id per chain, and none to HTTP calls', () => {
    const a = sessionKeyOf(['connection'])
    const b = sessionKeyOf(['connection'])
    expect(a(extra({}))).toMatch(/^connection-[0-9a-f-]{36}$/)
    expect(a(extra({}))).toBe(a(extra({})))
    expect(a(extra({}))).not.toBe(b(extra({})))
    expect(a(extra({ requestInfo: http }))).toBeUndefined()
  })
})
