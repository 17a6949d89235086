import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Registry } from 'prom-client'

/**
 * A request handler with node:http's `(req, res)` signature, which Express, Connect and
 * similar frameworks accept too.
 *
 * @example
 * createServer(metrics.handler).listen(9464, '127.0.0.1')
 */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void

/**
 * Serves a registry to Prometheus: `GET`/`HEAD` → 200 in the registry's content type
 * (`registry.contentType`); other methods → 405; a failing collector → 500. It answers any
 * path: mount it where you want it (`app.get('/metrics', handler)`). Never throws.
 *
 * @example
 * const server = createServer(metricsHandler(registry)).listen(9464, '127.0.0.1')
 */
export function metricsHandler(registry: Registry): MetricsHandler {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
      res.end('method not allowed\n')
      return
    }
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': registry.contentType })
        res.end(req.method === 'HEAD' ? undefined : body)
      },
      (error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        res.end(
          `collecting metrics failed: ${error instanceof Error ? error.message : String(error)}\n`,
        )
      },
    )
  }
}
