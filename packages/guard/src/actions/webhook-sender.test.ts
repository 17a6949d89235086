import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createWebhookSender } from './webhook-sender.js'

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void

const servers: Server[] = []

/** A real HTTP server on 127.0.0.1; each request goes to `handler` with its body. */
async function listen(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => handler(req, body, res))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

const quiet = {}

describe('webhook sender', () => {
  it('retries with backoff until the receiver accepts, then delivers exactly once', async () => {
    const statuses = [503, 500, 200]
    const received: string[] = []
    let delivered!: () => void
    const done = new Promise<void>((resolve) => (delivered = resolve))
    const url = await listen((req, body, res) => {
      const status = statuses.shift() ?? 200
      received.push(`${req.method} ${req.headers['content-type']} ${status}`)
      res.writeHead(status).end()
      if (status === 200) {
        expect(JSON.parse(body)).toEqual({ text: 'hello', n: 1 })
        delivered()
      }
    })
    const sleeps: number[] = []
    const sender = createWebhookSender({ url, retries: 3, backoffMs: 2 }, quiet, {
      setTimeout: (callback, ms) => {
        sleeps.push(ms)
        return setTimeout(callback, ms)
      },
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    })
    sender.send({ text: 'hello', n: 1 })
    await done
    const stats = await sender.close(1000)
    expect(received).toEqual([
      'POST application/json 503',
      'POST application/json 500',
      'POST application/json 200',
    ])
    expect(sleeps.slice(0, 2)).toEqual([2, 4]) // exponential backoff
    expect(stats).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0, attempts: 3 })
  })

  it('gives up after the retries, and at once on a non-retryable status', async () => {
    let hits = 0
    const url = await listen((_req, body, res) => {
      hits++
      res.writeHead((JSON.parse(body) as { status: number }).status).end()
    })
    const sender = createWebhookSender({ url, retries: 2, backoffMs: 1 }, quiet)
    sender.send({ status: 500 })
    sender.send({ status: 400 })
    sender.send({ status: 204 })
    for (let i = 0; i < 200 && sender.stats().pending > 0; i++)
      await new Promise((r) => setTimeout(r, 5))
    expect(await sender.close(1000)).toEqual({
      delivered: 1,
      failed: 2,
      dropped: 0,
      pending: 0,
      attempts: 5,
    })
    expect(hits).toBe(5) // 3 for the 500, 1 for the 400, 1 for the 204
  })

  it('bounds its queue (dropping the oldest waiting alert) and never blocks send', async () => {
    const seen: number[] = []
    const held: ServerResponse[] = []
    const url = await listen((_req, body, res) => {
      seen.push((JSON.parse(body) as { n: number }).n)
      held.push(res)
    })
    const sender = createWebhookSender({ url, retries: 0, maxQueue: 3 }, quiet)
    for (let n = 1; n <= 6; n++) sender.send({ n })
    expect(sender.stats()).toMatchObject({ dropped: 3, pending: 3 })
    for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 5))
    held.shift()?.writeHead(200).end()
    for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 5))
    held.shift()?.writeHead(200).end()
    for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 5))
    held.shift()?.writeHead(200).end()
    expect(await sender.close(1000)).toMatchObject({ delivered: 3, dropped: 3, pending: 0 })
    expect(seen).toEqual([1, 5, 6]) // the first was in flight; 2, 3 and 4 were pushed out
  })

  it('close() is bounded: an unresponsive receiver does not hold it up', async () => {
    const url = await listen(() => undefined) // never answers
    const sender = createWebhookSender({ url, retries: 5, timeoutMs: 60_000 }, quiet)
    sender.send({ n: 1 })
    sender.send({ n: 2 })
    const stats = await sender.close(20)
    expect(stats).toMatchObject({ delivered: 0, pending: 1 })
    sender.send({ n: 3 }) // ignored after close
    expect(sender.stats().pending).toBe(1)
  })

  it('refuses a URL that is not http(s)', () => {
    expect(() => createWebhookSender({ url: 'ftp://example.com' }, quiet)).toThrow(/http/)
    expect(() => createWebhookSender({ url: 'not a url' }, quiet)).toThrow(/not a URL/)
  })
})
