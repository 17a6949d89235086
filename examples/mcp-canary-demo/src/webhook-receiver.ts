import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What a Slack-compatible webhook receives from canarykit: `text`, plus the alert as data. */
export interface WebhookMessage {
  readonly text: string
  readonly canarykit: {
    readonly kind: string
    readonly level: string
    readonly flagKey?: string
    readonly reason?: string
    readonly [key: string]: unknown
  }
}

export interface WebhookReceiver {
  readonly url: string
  /** Every message, in arrival order, with the time it arrived. */
  readonly received: readonly (WebhookMessage & { readonly receivedAt: number })[]
  close(): Promise<void>
}

/**
 * A local stand-in for a Slack incoming webhook on 127.0.0.1: answers 200 `ok` as Slack does
 * and hands every message to `onMessage`. The fleet example uses it too.
 */
export async function startWebhookReceiver(
  onMessage: (message: WebhookMessage) => void = () => undefined,
): Promise<WebhookReceiver> {
  const received: (WebhookMessage & { receivedAt: number })[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      try {
        const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookMessage
        received.push({ ...message, receivedAt: Date.now() })
        onMessage(message)
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
      } catch {
        res.writeHead(400).end('invalid_payload')
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/services/canarykit`,
    received,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
