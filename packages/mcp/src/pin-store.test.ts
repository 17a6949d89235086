import { isFlagsError } from '@canarykit/core'
import { describe, expect, it } from 'vitest'
import { createPinStore } from './pin-store.js'

const pin = (variant: string, epoch?: number) => ({ variant, epoch })

describe('createPinStore', () => {
  it('keeps one pin per session and flag', () => {
    const pins = createPinStore()
    pins.set('s1', 'a', pin('canary', 1))
    pins.set('s1', 'b', pin('stable'))
    pins.set('s2', 'a', pin('stable', 1))
    expect(pins.get('s1', 'a')).toEqual(pin('canary', 1))
    expect(pins.get('s1', 'b')).toEqual(pin('stable'))
    expect(pins.get('s2', 'b')).toBeUndefined()
    expect(pins.size).toBe(2)
    expect(pins.release('s1')).toBe(true)
    expect(pins.release('s1')).toBe(false)
    expect(pins.get('s1', 'a')).toBeUndefined()
    pins.clear()
    expect(pins.size).toBe(0)
  })

  it('drops the least recently used session beyond the bound', () => {
    const pins = createPinStore({ maxSessions: 3 })
    for (const s of ['s1', 's2', 's3']) pins.set(s, 'f', pin('stable'))
    pins.get('s1', 'f') // s1 becomes the most recent; s2 is now the oldest
    pins.set('s4', 'f', pin('canary'))
    expect(pins.size).toBe(3)
    expect(pins.get('s2', 'f')).toBeUndefined()
    expect(['s1', 's3', 's4'].map((s) => pins.get(s, 'f')?.variant)).toEqual([
      'stable',
      'stable',
      'canary',
    ])
  })

  it('forgets sessions idle for longer than the TTL, whether read or not', () => {
    let now = 0
    const pins = createPinStore({ ttlMs: 100, clock: () => now })
    pins.set('idle', 'f', pin('canary'))
    pins.set('busy', 'f', pin('canary'))
    for (now = 50; now <= 300; now += 50) expect(pins.get('busy', 'f')).toBeDefined()
    expect(pins.get('idle', 'f')).toBeUndefined()
    pins.set('other', 'f', pin('stable'))
    now = 1000
    pins.set('late', 'f', pin('stable')) // sweeps the expired ones from the old end
    expect(pins.size).toBe(1)
  })

  it('takes a reading of its clock from the caller instead of reading it itself', () => {
    let reads = 0
    const pins = createPinStore({ ttlMs: 100, clock: () => (reads++, 0) })
    pins.set('s', 'f', pin('canary'), 1000)
    expect(pins.get('s', 'f', 1050)).toEqual(pin('canary'))
    expect(pins.get('s', 'f', 1200)).toBeUndefined() // idle 150 > 100 by the readings given
    expect(reads).toBe(0)
  })

  it('stays at its bound under a million sessions', { timeout: 60_000 }, () => {
    const pins = createPinStore({ maxSessions: 10_000 })
    let largest = 0
    for (let i = 0; i < 1_000_000; i++) {
      pins.set(`session-${i}`, 'search-v2', pin(i % 10 === 0 ? 'canary' : 'stable', 1))
      if (pins.size > largest) largest = pins.size
    }
    expect(largest).toBe(10_000)
    expect(pins.get('session-999990', 'search-v2')).toEqual(pin('canary', 1))
    expect(pins.get('session-0', 'search-v2')).toBeUndefined()
  })

  it('rejects a bound or TTL that is not positive', () => {
    for (const options of [
      { maxSessions: 0 },
      { maxSessions: 1.5 },
      { ttlMs: 0 },
      { ttlMs: NaN },
    ]) {
      let thrown: unknown
      try {
        createPinStore(options)
      } catch (error) {
        thrown = error
      }
      expect(isFlagsError(thrown) && thrown.code).toBe('INVALID_CONFIG')
    }
  })
})
