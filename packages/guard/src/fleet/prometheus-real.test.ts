import { spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { prometheusMetricSource } from './prometheus-metric-source.js'

const BIN = '/usr/bin/prometheus'
const hasPrometheus = ((): boolean => {
  try {
    accessSync(BIN, constants.X_OK)
    return true
  } catch {
    return false
  }
})()

/** A replica's /metrics: every scrape adds 10 calls per variant, 5 of v2's failing, all ≤ 50 ms. */
function exposition(n: number): string {
  const lines: string[] = []
  for (const [variant, errors] of [
    ['v1', 0],
    ['v2', 5],
  ] as const) {
    const l = `tool="search",flag="search",variant="${variant}"`
    lines.push(`canarykit_tool_calls_total{${l},outcome="ok"} ${n * (10 - errors)}`)
    lines.push(`canarykit_tool_calls_total{${l},outcome="error"} ${n * errors}`)
    lines.push(`canarykit_tool_calls_total{${l},outcome="failure"} 0`)
    for (const le of ['0.05', '0.1', '+Inf']) {
      lines.push(`canarykit_tool_call_duration_seconds_bucket{${l},le="${le}"} ${n * 10}`)
    }
    lines.push(`canarykit_sessions_assigned_total{flag="search",variant="${variant}"} ${n * 2}`)
  }
  return lines.join('\n') + '\n'
}

describe.skipIf(!hasPrometheus)('prometheusMetricSource against a real Prometheus', () => {
  it('reads fleet counters, names a replica it cannot scrape, and reports unavailable once Prometheus stops', async () => {
    let scrapes = 0
    const replica = () =>
      createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        res.end(exposition(++scrapes))
      })
    // Two replicas of one job; the second one stops answering scrapes halfway.
    const target = replica()
    const second = replica()
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r))
    await new Promise<void>((r) => second.listen(0, '127.0.0.1', r))
    const portOf = (s: { address(): unknown }): number => (s.address() as AddressInfo).port
    const probe = createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = portOf(probe)
    await new Promise((r) => probe.close(r))
    const dir = mkdtempSync(join(tmpdir(), 'canarykit-fleet-'))
    const config = join(dir, 'prometheus.yml')
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: mcp\n    static_configs:\n      - targets: ['127.0.0.1:${portOf(target)}', '127.0.0.1:${portOf(second)}']\n`,
    )
    const child = spawn(
      BIN,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=error',
      ],
      { detached: true, stdio: 'ignore' },
    )
    const exited = new Promise((r) => child.once('exit', r))
    const source = prometheusMetricSource({
      url: `http://127.0.0.1:${port}`,
      matchers: 'job="mcp"',
    })
    const start = Date.now()
    try {
      // Wait (bounded: 60 polls of 250 ms) until enough scrapes are in for increase().
      let result = await source.read('search', start, Date.now())
      for (let i = 0; i < 60 && (result.status !== 'ok' || scrapes < 5); i++) {
        await new Promise((r) => setTimeout(r, 250))
        result = await source.read('search', start - 1000, Date.now())
      }
      expect(result.status).toBe('ok')
      if (result.status !== 'ok') return
      const v1 = result.snapshot.variants['v1']
      const v2 = result.snapshot.variants['v2']
      expect(v1?.calls).toBeGreaterThan(0)
      expect(v1?.errors).toBe(0)
      expect(v2?.errors).toBeGreaterThan(0)
      // Half of v2's calls fail; extrapolation and rounding keep the ratio within a few percent.
      expect(Math.abs((v2?.errors ?? 0) / (v2?.calls ?? 1) - 0.5)).toBeLessThan(0.1)
      expect(v2?.latency.quantile(0.99)).toBe(50)
      expect(v2?.sessions).toBeGreaterThan(0)
      expect(result.unscraped).toBeUndefined()

      // The second replica stops answering: within a few scrapes `up` is 0 and it is named.
      const name = `127.0.0.1:${portOf(second)} (mcp)`
      second.closeAllConnections()
      await new Promise((r) => second.close(r))
      let missing = await source.read('search', start - 1000, Date.now())
      for (let i = 0; i < 40 && !(missing.status === 'ok' && missing.unscraped?.length); i++) {
        await new Promise((r) => setTimeout(r, 250))
        missing = await source.read('search', start - 1000, Date.now())
      }
      expect(missing).toMatchObject({ status: 'ok', unscraped: [name] })
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      await exited
      await new Promise((r) => target.close(r))
      if (second.listening) await new Promise((r) => second.close(r))
      rmSync(dir, { recursive: true, force: true })
    }
    const down = await source.read('search', start, Date.now())
    expect(down.status).toBe('unavailable')
  }, 30_000)
})
