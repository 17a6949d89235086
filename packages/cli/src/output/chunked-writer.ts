import type { TextSink } from '../io.js'

const DEFAULT_CHUNK_SIZE = 64 * 1024

/**
 * Batches many small lines into large writes: one `write` per line costs more than evaluating
 * the line. When the sink reports it is full, the returned promise waits for `drain`, so a slow
 * reader (a pipe into `head` or `jq`) throttles the producer instead of growing memory.
 */
export class ChunkedWriter {
  readonly #sink: TextSink
  readonly #chunkSize: number
  #buffer = ''

  constructor(sink: TextSink, chunkSize = DEFAULT_CHUNK_SIZE) {
    this.#sink = sink
    this.#chunkSize = chunkSize
  }

  /** Queues text; returns a promise only when the caller must wait before pushing more. */
  push(text: string): Promise<void> | undefined {
    this.#buffer += text
    return this.#buffer.length >= this.#chunkSize ? this.flush() : undefined
  }

  /** Writes whatever is queued. */
  flush(): Promise<void> | undefined {
    if (this.#buffer === '') return undefined
    const sink = this.#sink
    const accepted = sink.write(this.#buffer)
    this.#buffer = ''
    if (accepted || sink.once === undefined) return undefined
    return new Promise((resolve) => sink.once?.('drain', resolve))
  }
}
