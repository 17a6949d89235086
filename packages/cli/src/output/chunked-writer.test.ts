import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { TextSink } from '../io.js'
import { ChunkedWriter } from './chunked-writer.js'

/** A sink that records writes and reports itself full until `drain` is emitted. */
function fullSink(): TextSink & { readonly writes: string[]; drain(): void } {
  const events = new EventEmitter()
  const writes: string[] = []
  return {
    writes,
    write(chunk) {
      writes.push(chunk)
      return false
    },
    once(event, listener) {
      return events.once(event, listener)
    },
    drain: () => events.emit('drain'),
  }
}

describe('ChunkedWriter', () => {
  it('batches small pushes into one write of at least the chunk size', () => {
    const writes: string[] = []
    const writer = new ChunkedWriter({ write: (chunk) => writes.push(chunk) > 0 }, 10)
    expect(writer.push('abcd\n')).toBeUndefined()
    expect(writes).toEqual([])
    expect(writer.push('efgh\n')).toBeUndefined()
    expect(writes).toEqual(['abcd\nefgh\n'])
    void writer.push('tail\n')
    void writer.flush()
    expect(writes).toEqual(['abcd\nefgh\n', 'tail\n'])
  })

  it('returns a promise that waits for drain when the sink is full', async () => {
    const sink = fullSink()
    const writer = new ChunkedWriter(sink, 4)
    const wait = writer.push('12345')
    expect(wait).toBeInstanceOf(Promise)
    let drained = false
    void wait?.then(() => (drained = true))
    await Promise.resolve()
    expect(drained).toBe(false)
    sink.drain()
    await wait
    expect(drained).toBe(true)
    expect(sink.writes).toEqual(['12345'])
  })

  it('flushes nothing when nothing is queued', () => {
    const sink = fullSink()
    expect(new ChunkedWriter(sink).flush()).toBeUndefined()
    expect(sink.writes).toEqual([])
  })
})
