/*
 * A real Prometheus server for tests: found on PATH (or PROMETHEUS_BIN), started in its own
 * process group on 127.0.0.1 with a temp config and TSDB, stopped (group-wide) by close().
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/** The prometheus binary: `$PROMETHEUS_BIN`, else the first `prometheus` on PATH or in /usr/bin. */
export function findPrometheus(): string | undefined {
  const fromEnv = process.env['PROMETHEUS_BIN']
  const candidates = [
    ...(fromEnv === undefined || fromEnv === '' ? [] : [fromEnv]),
    ...(process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, 'prometheus')),
    '/usr/bin/prometheus',
  ]
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not this one
    }
  }
  return undefined
}

/** A port free on 127.0.0.1 right now (the usual small race is acceptable in tests). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

export interface PromQueryResult {
  readonly status: string
  readonly error?: string
  readonly errorType?: string
  readonly data?: {
    readonly resultType: string
    readonly result: readonly {
      readonly metric: Record<string, string>
      readonly value?: [number, string]
    }[]
  }
}

export interface PrometheusServer {
  readonly url: string
  /** An instant query through `/api/v1/query` (HTTP errors come back as the JSON body). */
  query(expr: string): Promise<PromQueryResult>
  /** Values of a label among the series matching `match` (`/api/v1/label/<name>/values`). */
  labelValues(label: string, match: string): Promise<string[]>
  /** What the server wrote to stderr, for failure messages. */
  log(): string
  close(): Promise<void>
}

const REQUEST_TIMEOUT_MS = 5000

/**
 * Starts Prometheus scraping `target` (host:port) every second and waits (bounded) until it
 * is ready.
 */
export async function startPrometheus(binary: string, target: string): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'canarykit-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: canarykit',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  )
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const get = async (path: string): Promise<unknown> => {
    const response = await fetch(url + path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    return response.json()
  }
  const server: PrometheusServer = {
    url,
    query: async (expr) =>
      (await get(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as PromQueryResult,
    labelValues: async (label, match) => {
      const body = (await get(
        `/api/v1/label/${encodeURIComponent(label)}/values?match[]=${encodeURIComponent(match)}`,
      )) as { data?: string[] }
      return body.data ?? []
    },
    log: () => stderr,
    close: async () => {
      await stop(child, exited)
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`)
      const response = await fetch(`${url}/-/ready`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      }).catch(() => undefined)
      return response?.status === 200
    }, 30_000)
  } catch (error) {
    await server.close()
    throw error
  }
  return server
}

/** SIGTERM to the whole process group, SIGKILL after 5 s. */
async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-(child.pid as number), name)
    } catch {
      // already gone
    }
  }
  signal('SIGTERM')
  const killed = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 5000).unref()),
  ])
  if (killed) {
    signal('SIGKILL')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())])
  }
}

/** Polls `check` every 250 ms until it returns true; throws after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
