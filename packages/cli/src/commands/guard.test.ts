import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, tempDir, writeFiles } from '../testing/harness.js'
import { readJson, rolloutsDocument } from '../testing/rollout-fixtures.js'

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
const tsxLoader = `file://${repoRoot}node_modules/tsx/dist/loader.mjs`
const bin = `${repoRoot}packages/cli/src/bin.ts`

/**
 * A loopback stand-in for Prometheus's /api/v1/query: a healthy 10 % canary, no errors, every
 * replica scraped; while `down` is set it answers 503 as an overloaded Prometheus would.
 */
async function fakePrometheus(): Promise<{
  url: string
  queries: string[]
  server: Server
  state: { down: boolean }
}> {
  const queries: string[] = []
  const state = { down: false }
  const server = createServer((req, res) => {
    const query = new URL(req.url ?? '', 'http://x').searchParams.get('query') ?? ''
    queries.push(query)
    if (state.down) {
      res.writeHead(503, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'error', error: 'overloaded' }))
      return
    }
    const result = ['stable', 'canary'].flatMap((variant) => {
      const share = variant === 'canary' ? 0.1 : 0.9
      const sample = (n: number, extra: Record<string, string> = {}) => ({
        metric: { variant, ...extra },
        value: [Date.now() / 1000, String(n)],
      })
      if (query.startsWith('up')) return [] // no failing scrape target
      // Freshness: every replica was scraped just now.
      if (query.startsWith('min(timestamp('))
        return variant === 'stable' ? [sample(Date.now() / 1000)] : []
      const calls = 5000 * share
      if (query.includes('_bucket'))
        return [sample(calls, { le: '0.1' }), sample(calls, { le: '+Inf' })]
      if (query.includes('sessions_assigned')) return [sample(1000 * share)]
      if (query.includes('outcome=')) return [sample(0)]
      return [sample(calls)]
    })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }))
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, queries, server, state }
}

/** A loopback webhook receiver: every POSTed JSON body, in order. */
async function webhookReceiver(): Promise<{ url: string; bodies: WebhookBody[]; server: Server }> {
  const bodies: WebhookBody[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      bodies.push(JSON.parse(body) as WebhookBody)
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, bodies, server }
}

interface WebhookBody {
  readonly text: string
  readonly canarykit: { readonly kind: string; readonly level: string; readonly flagKey?: string }
}

interface Running {
  readonly child: ChildProcess
  output(): string
  /** Resolves true once stdout matches, false after `ms` (bounded). */
  waitFor(pattern: RegExp, ms?: number): Promise<boolean>
  readonly exited: Promise<number | null>
}

/** `node` itself runs the CLI (tsx as a loader), so SIGKILL kills the guard, not a wrapper. */
function startGuard(args: readonly string[]): Running {
  const argv = ['--import', tsxLoader, '--conditions=@canarykit/source', bin, 'guard', ...args]
  const child = spawn(process.execPath, argv, { cwd: dir })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
  children.push(child)
  return {
    child,
    output: () => stdout,
    exited,
    waitFor: (pattern, ms = 20_000) =>
      new Promise((done) => {
        const poll = setInterval(() => {
          if (pattern.test(stdout)) finish(true)
        }, 20)
        const timer = setTimeout(() => finish(false), ms)
        function finish(found: boolean): void {
          clearInterval(poll)
          clearTimeout(timer)
          done(found)
        }
      }),
  }
}

const children: ChildProcess[] = []

/** Polls `check` every 20 ms; true once it holds, false after `ms` (bounded). */
async function until(check: () => boolean, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (check()) return true
    await new Promise((done) => setTimeout(done, 20))
  }
  return check()
}

let dir: string
let cleanup: () => Promise<void>
let prometheus: Awaited<ReturnType<typeof fakePrometheus>>

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
  prometheus = await fakePrometheus()
})
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  await new Promise((done) => prometheus.server.close(done))
  await cleanup()
})

describe('canarykit guard', () => {
  it('judges on Prometheus, prints each decision, and exits 0 on SIGTERM', async () => {
    await writeFiles(dir, { 'flags.json': rolloutsDocument(Date.now()) })
    const guard = startGuard(['flags.json', '--prometheus', prometheus.url, '--interval', '200ms'])
    let stderr = ''
    guard.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const decided = await guard.waitFor(/ new-search {2}\w+ {2}/)
    guard.child.kill('SIGTERM')
    const code = await guard.exited
    const stdout = guard.output()
    expect({ decided, stderr }).toEqual({ decided: true, stderr: '' })
    expect(code).toBe(0)
    expect(stdout).toContain(`guarding flags.json: metrics from ${prometheus.url}`)
    expect(stdout).toMatch(/Z {2}new-search {2}(continue|hold) {2}/)
    // The guard awaited the metrics read before judging: never judged without evidence.
    expect(stdout).not.toContain('no metrics read')
    expect(stdout.trimEnd().endsWith('guard stopped')).toBe(true)
    // Only the running rollout is read, from the whole fleet, with the flag's label.
    expect(prometheus.queries.length).toBeGreaterThan(0)
    expect(prometheus.queries.every((q) => q.includes('flag="new-search"'))).toBe(true)
    // Nothing was promoted in a second: the file still holds stage 2 at 10 %.
    const after = await readJson(dir, 'flags.json')
    expect(after.canarykit?.rollouts?.['new-search']).toMatchObject({ phase: 'running', stage: 1 })
  }, 40_000)

  it('with --lease, a standby takes over when the holder dies, and releases it on SIGTERM', async () => {
    await writeFiles(dir, { 'flags.json': rolloutsDocument(Date.now()) })
    const args = ['flags.json', '--prometheus', prometheus.url, '--interval', '100ms']
    const leased = [...args, '--lease', 'guard.lease', '--lease-ttl', '1s']
    const first = startGuard(leased)
    expect(await first.waitFor(/^guarding flags\.json/m)).toBe(true)
    const second = startGuard(leased)
    expect(await second.waitFor(/^standby: the lease is held by /m)).toBe(true)
    expect(second.output()).not.toContain('guarding')
    first.child.kill('SIGKILL')
    await first.exited
    expect(await second.waitFor(/^guarding flags\.json/m)).toBe(true)
    expect(await second.waitFor(/Z {2}new-search {2}/)).toBe(true)
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
    expect(existsSync(join(dir, 'guard.lease'))).toBe(false)
  }, 60_000)

  it('alerts a metrics outage after --grace (webhook, audit, stderr) once, and its end once; holds meanwhile', async () => {
    await writeFiles(dir, { 'flags.json': rolloutsDocument(Date.now()) })
    const webhook = await webhookReceiver()
    prometheus.state.down = true
    const guard = startGuard([
      'flags.json',
      '--prometheus',
      prometheus.url,
      '--interval',
      '100ms',
      '--grace',
      '500ms',
      '--audit',
      'audit.jsonl',
      '--webhook',
      webhook.url,
    ])
    let stderr = ''
    guard.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    try {
      expect(await guard.waitFor(/holding: Prometheus unavailable: Prometheus answered 503/)).toBe(
        true,
      )
      const alerted = await until(() => webhook.bodies.length >= 1)
      // 12 more held checks (1.2 s, well past the 500 ms grace): still one alert for this outage.
      const held = (): number =>
        guard.output().match(/ {2}hold {2}holding: Prometheus/g)?.length ?? 0
      const before = held()
      expect(await until(() => held() >= before + 12)).toBe(true)
      expect(webhook.bodies).toHaveLength(1)
      prometheus.state.down = false
      const restored = await until(() => webhook.bodies.length >= 2)
      guard.child.kill('SIGTERM')
      expect(await guard.exited).toBe(0)
      expect({ alerted, restored }).toEqual({ alerted: true, restored: true })
    } finally {
      webhook.server.closeAllConnections()
      await new Promise((done) => webhook.server.close(done))
    }
    const kinds = webhook.bodies.map((b) => `${b.canarykit.kind}/${b.canarykit.level}`)
    expect(kinds).toEqual(['metrics-unavailable/warning', 'metrics-restored/info'])
    expect(webhook.bodies[0]?.text).toMatch(
      /^:warning: canarykit: `new-search`: metrics unusable for \d+ s \(Prometheus unavailable: Prometheus answered 503: overloaded\)\. Holding at 10 %/,
    )
    expect(stderr).toContain('warning: canarykit: `new-search`: metrics unusable for')
    expect(stderr).toContain('info: canarykit: `new-search`: metrics are back after')
    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string; actor: string; percentage: number })
    expect(audit.map((r) => `${r.action} ${r.actor} ${r.percentage}`)).toEqual([
      'metrics-unavailable guard 10',
      'metrics-restored guard 10',
    ])
    // Never moved during the outage.
    const after = await readJson(dir, 'flags.json')
    expect(after.canarykit?.rollouts?.['new-search']).toMatchObject({ phase: 'running', stage: 1 })
  }, 40_000)

  it('refuses a malformed interval and a missing --prometheus as usage errors', async () => {
    await writeFiles(dir, { 'flags.json': rolloutsDocument(Date.now()) })
    const bad = await runCli(
      ['guard', 'flags.json', '--prometheus', 'http://x', '--interval', '5y'],
      dir,
    )
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--interval')
    const missing = await runCli(['guard', 'flags.json'], dir)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--prometheus')
  })

  it('exits 1 when the flags file cannot be read', async () => {
    const result = await runCli(['guard', 'nope.json', '--prometheus', prometheus.url], dir)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('nope.json')
  })
})
