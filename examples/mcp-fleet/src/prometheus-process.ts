import { accessSync, constants } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { spawnChild, tail, type Child } from './child-process.js'
import { waitFor } from './wait.js'

/** Debian's package installs it here (CI: `apt-get install prometheus`). */
export const PROMETHEUS_BIN = process.env['PROMETHEUS_BIN'] ?? '/usr/bin/prometheus'

/** Whether a Prometheus binary can be run here. */
export function prometheusAvailable(): boolean {
  try {
    accessSync(PROMETHEUS_BIN, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export interface PrometheusOptions {
  /** Holds the config and the TSDB (kept across a restart). */
  readonly dir: string
  readonly port: number
  /** `host:port` of every replica's `/metrics`. */
  readonly targets: readonly string[]
  /** Scrape interval in seconds. Default 1. */
  readonly scrapeIntervalS?: number
}

/** A real Prometheus on 127.0.0.1 that can be stopped and started again on the same port. */
export interface PrometheusProcess {
  readonly url: string
  readonly running: () => boolean
  /** SIGTERM (SIGKILL after 5 s); the data stays in `dir`. */
  stop(): Promise<void>
  /** Starts it again on the same port and data; resolves once it answers /-/ready. */
  start(): Promise<void>
  /** How many targets its latest scrape reached (`count(up == 1)`); 0 when it cannot say. */
  targetsUp(): Promise<number>
  /** SIGKILL, synchronously (for a process that is exiting). */
  kill(): void
}

/**
 * Writes a config scraping every target of job `mcp` every `scrapeIntervalS` and starts
 * Prometheus; resolves once it is ready (bounded).
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusProcess> {
  const interval = options.scrapeIntervalS ?? 1
  const config = join(options.dir, 'prometheus.yml')
  await mkdir(options.dir, { recursive: true })
  const targets = options.targets.map((t) => `'${t}'`).join(', ')
  await writeFile(
    config,
    [
      'global:',
      `  scrape_interval: ${interval}s`,
      `  scrape_timeout: ${interval}s`,
      'scrape_configs:',
      '  - job_name: mcp',
      '    static_configs:',
      `      - targets: [${targets}]`,
      '',
    ].join('\n'),
  )
  const url = `http://127.0.0.1:${options.port}`
  const args = [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(options.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${options.port}`,
    '--log.level=warn',
  ]
  let child: Child | undefined

  async function start(): Promise<void> {
    child = spawnChild('prometheus', PROMETHEUS_BIN, args, { cwd: options.dir })
    const started = child
    await waitFor(
      `Prometheus ready on ${url}`,
      async () => {
        if (!started.running()) throw new Error(`prometheus exited: ${tail(started.stderr())}`)
        const response = await fetch(`${url}/-/ready`).catch(() => undefined)
        return response?.ok === true
      },
      20_000,
      100,
    )
  }

  await start()
  return {
    url,
    running: () => child?.running() === true,
    stop: async () => child?.stop(5000),
    start,
    kill: () => child?.kill('SIGKILL'),
    async targetsUp() {
      const query = new URL('/api/v1/query', url)
      query.searchParams.set('query', 'count(up == 1)')
      const body = (await (await fetch(query)).json().catch(() => ({}))) as {
        data?: { result?: { value: [number, string] }[] }
      }
      return Number(body.data?.result?.[0]?.value[1] ?? 0)
    },
  }
}
