import { request as httpRequest, type ClientRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { FlagsError, type Logger } from '@canarykit/core'

/**
 * Where and how to POST alerts.
 *
 * @example
 * alerts: { webhook: { url: 'https://hooks.slack.com/services/T000/B000/XXXX', retries: 5, backoffMs: 500 } }
 */
export interface WebhookOptions {
  /** `http:` or `https:` URL, e.g. a Slack incoming webhook. */
  readonly url: string
  /** Retries after the first attempt, on a network error, a timeout, 408, 429 or 5xx. Default 5. */
  readonly retries?: number
  /** First retry delay; doubles per retry, capped at 30 s. Default 500. */
  readonly backoffMs?: number
  /** Per-request timeout. Default 5000. */
  readonly timeoutMs?: number
  /** Alerts waiting beyond this are dropped, oldest first (and counted). Default 100. */
  readonly maxQueue?: number
  readonly headers?: Readonly<Record<string, string>>
}

/** Delivery counters, for status pages and tests. */
export interface WebhookStats {
  readonly delivered: number
  /** Gave up: retries exhausted or a non-retryable status. */
  readonly failed: number
  /** Pushed out of a full queue. */
  readonly dropped: number
  readonly pending: number
  /** HTTP attempts made, including retries. */
  readonly attempts: number
}

/** Timers the sender sleeps on between retries (injectable for tests). */
export interface SleepTimers {
  readonly setTimeout: (callback: () => void, ms: number) => unknown
  readonly clearTimeout: (handle: unknown) => void
}

/** A fire-and-forget alert queue: `send` returns at once; one request is in flight at a time. */
export interface WebhookSender {
  send(body: unknown): void
  /** Resolves when the queue is empty, or after `timeoutMs`; then stops retrying anything left. */
  close(timeoutMs: number): Promise<WebhookStats>
  stats(): WebhookStats
}

const MAX_BACKOFF_MS = 30_000

/**
 * Creates the webhook queue. Delivery never blocks the caller and never throws into it; failures
 * are logged and counted.
 *
 * @internal
 */
export function createWebhookSender(
  options: WebhookOptions,
  logger: Logger,
  timers: SleepTimers = { setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
): WebhookSender {
  const url = parseUrl(options.url)
  const retries = options.retries ?? 5
  const backoffMs = options.backoffMs ?? 500
  const timeoutMs = options.timeoutMs ?? 5000
  const maxQueue = options.maxQueue ?? 100
  const queue: string[] = []
  const counts = { delivered: 0, failed: 0, dropped: 0, attempts: 0 }
  let pumping: Promise<void> | undefined
  let closed = false
  let wake: (() => void) | undefined
  let sleeping: unknown
  let inflight: ClientRequest | undefined

  function stats(): WebhookStats {
    return { ...counts, pending: queue.length }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      wake = resolve
      sleeping = timers.setTimeout(resolve, ms)
    })
  }

  async function deliver(body: string): Promise<void> {
    for (let attempt = 0; attempt <= retries && !closed; attempt++) {
      if (attempt > 0) await sleep(Math.min(backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS))
      if (closed) break
      counts.attempts++
      const outcome = await post(url, body, timeoutMs, options.headers ?? {}, (req) => {
        inflight = req
      }).catch((error: unknown) => error)
      inflight = undefined
      if (typeof outcome === 'number' && outcome >= 200 && outcome < 300) {
        counts.delivered++
        return
      }
      const what = typeof outcome === 'number' ? `HTTP ${outcome}` : describe(outcome)
      if (typeof outcome === 'number' && !retryable(outcome)) {
        logger.error?.(`alert webhook refused the alert (${what}); not retrying`)
        counts.failed++
        return
      }
      logger.warn?.(`alert webhook attempt ${attempt + 1} of ${retries + 1} failed: ${what}`)
    }
    counts.failed++
  }

  async function pump(): Promise<void> {
    for (let body = queue[0]; body !== undefined && !closed; body = queue[0]) {
      await deliver(body)
      queue.shift()
    }
    pumping = undefined
  }

  return {
    send(body) {
      if (closed) return
      if (queue.length >= maxQueue) {
        // Never drop the one being delivered; drop the oldest waiting one.
        queue.splice(pumping === undefined ? 0 : 1, 1)
        counts.dropped++
      }
      queue.push(JSON.stringify(body))
      pumping ??= pump()
    },
    stats,
    async close(timeout) {
      let timer: unknown
      const deadline = new Promise<void>((resolve) => (timer = timers.setTimeout(resolve, timeout)))
      await Promise.race([pumping ?? Promise.resolve(), deadline])
      timers.clearTimeout(timer)
      closed = true
      timers.clearTimeout(sleeping)
      wake?.()
      inflight?.destroy(new Error('closed'))
      await pumping
      const left = queue.length
      if (left > 0) logger.warn?.(`alert webhook: ${left} alert(s) not delivered before close`)
      return stats()
    },
  }
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/** POSTs JSON and resolves with the status code (the body is drained and ignored). */
function post(
  url: URL,
  body: string,
  timeoutMs: number,
  headers: Readonly<Record<string, string>>,
  started: (req: ClientRequest) => void,
): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        timeout: timeoutMs,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          // No pooled sockets: nothing lingers to keep the process alive after close().
          connection: 'close',
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)))
    req.on('error', reject)
    started(req)
    req.end(body)
  })
}

function parseUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch (error) {
    throw new FlagsError('INVALID_ARGUMENT', `alerts.webhook.url is not a URL: ${raw}`, {
      cause: error,
    })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FlagsError(
      'INVALID_ARGUMENT',
      `alerts.webhook.url must be http: or https:, got ${url.protocol}`,
    )
  }
  return url
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
