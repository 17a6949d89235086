// After `pnpm build`: follows docs/getting-started.md literally in an empty directory, against the
// packed packages. Code blocks are taken in order: ```sh blocks run (`npm i` installs the tarballs
// instead of the registry names of our packages), blocks with title="<file>" are written to that
// file, the block titled "keep running" starts in the background. Then the guide's stated outcome
// is checked. Loopback only; every step is bounded in time.
import { execFileSync, spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { setTimeout } from 'node:timers'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const guide = readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8')
const scratch = mkdtempSync(join(tmpdir(), 'canarykit-getting-started-'))
const failures = []
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) failures.push(what)
}

// 1. Pack every publishable package.
const tarballs = new Map()
const packs = join(scratch, 'packs')
mkdirSync(packs)
for (const dir of readdirSync(join(root, 'packages'))) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'))
  if (manifest.private) continue
  const before = new Set(readdirSync(packs))
  execFileSync('pnpm', ['pack', '--pack-destination', packs], {
    cwd: join(root, 'packages', dir),
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const file = readdirSync(packs).find((f) => !before.has(f))
  tarballs.set(manifest.name, join(packs, file))
}
console.log(`packed: ${[...tarballs.keys()].join(', ')}`)

// 2. The guide's default ports, or free ones if they are taken here.
const port = (await isFree(3000)) ? 3000 : await freePort()
const metricsPort = (await isFree(9464)) ? 9464 : await freePort()
const env = {
  ...process.env,
  PORT: String(port),
  METRICS_PORT: String(metricsPort),
  MCP_URL: `http://127.0.0.1:${port}/mcp`,
  SLACK_WEBHOOK: '',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
}

// 3. Follow the guide.
const blocks = [...guide.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  lang: m[1],
  title: /title="([^"]+)"/.exec(m[2])?.[1],
  body: m[3],
}))
let cwd = join(scratch, 'empty')
mkdirSync(cwd)
const outputs = []
let server
try {
  for (const block of blocks) {
    if (block.title === 'keep running') {
      server = startBackground(block.body.trim(), cwd)
      const ready = await server.line(/MCP server on/, 30_000)
      check(ready !== undefined, `server started: ${ready ?? server.output()}`)
    } else if (block.title !== undefined) {
      writeFileSync(join(cwd, block.title), block.body)
    } else if (block.lang === 'sh') {
      const script = block.body.replace(/^npm i (.*)$/gm, (_, names) => `npm i ${install(names)}`)
      const { stdout, cwd: after } = runScript(script.replaceAll(':9464', `:${metricsPort}`), cwd)
      outputs.push({ script: block.body, stdout })
      cwd = after
    }
  }

  // 4. The outcome the guide states.
  const out = (pattern) => outputs.find((o) => pattern.test(o.script))?.stdout ?? ''
  const served = /calls served: \{ stable: (\d+), canary: (\d+) \}/.exec(out(/node client\.mjs/))
  const [stable, canary] = served ? [Number(served[1]), Number(served[2])] : [NaN, NaN]
  check(stable + canary === 600, `client: 600 calls served (${served?.[0] ?? 'no output'})`)
  check(stable % 3 === 0 && canary % 3 === 0, 'client: every session stayed on one implementation')
  check(canary <= 60, `client: about 1 % of sessions on canary (${canary / 3} of 200)`)
  const metrics = out(/curl/)
  check(
    /^canarykit_tool_calls_total\{[^}]*variant="stable"[^}]*\} \d+/m.test(metrics),
    'metrics: canarykit_tool_calls_total per variant',
  )
  const status = out(/canarykit status/)
  check(
    /search-v2 +running +stage 1 of 4 +1 % canary/.test(status),
    `status: ${status.split('\n')[1] ?? status}`,
  )
  const audit = join(cwd, 'flags.audit.jsonl')
  check(
    existsSync(audit) && readFileSync(audit, 'utf8').includes('"action":"start"'),
    'audit log beside the flags file',
  )

  // 5. Ctrl-C: canary.close() and the servers' close must let the process end by itself.
  const code = await server.stop('SIGINT', 15_000)
  check(code === 0, `server exited by itself after SIGINT (code ${code})`)
  server = undefined
} catch (error) {
  check(false, error instanceof Error ? error.message : String(error))
} finally {
  if (server !== undefined) await server.stop('SIGKILL', 5_000)
  rmSync(scratch, { recursive: true, force: true })
}
if (failures.length > 0) {
  console.error(`getting-started check failed: ${failures.length} problem(s)`)
  process.exit(1)
}
console.log('getting-started check passed')

/** Our packages' names become their tarballs (all of them, so dependencies resolve locally). */
function install(names) {
  const others = names.split(/\s+/).filter((name) => !tarballs.has(name))
  return [...tarballs.values(), ...others].join(' ')
}

function runScript(script, dir) {
  const marker = '__CANARYKIT_CWD__'
  const stdout = execFileSync(
    'bash',
    ['-euo', 'pipefail', '-c', `${script}\necho ${marker}"$PWD"`],
    {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 300_000,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const at = stdout.lastIndexOf(marker)
  process.stdout.write(stdout.slice(0, at))
  return { stdout: stdout.slice(0, at), cwd: stdout.slice(at + marker.length).trim() }
}

function startBackground(command, dir) {
  const child = spawn('bash', ['-c', `exec ${command}`], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  const waiters = []
  const exited = new Promise((done) => child.on('exit', (code, signal) => done(code ?? signal)))
  const feed = (chunk) => {
    text += chunk
    process.stdout.write(`[server] ${chunk}`)
    for (const w of waiters.splice(0)) w()
  }
  child.stdout.setEncoding('utf8').on('data', feed)
  child.stderr.setEncoding('utf8').on('data', feed)
  return {
    output: () => text,
    async line(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline && child.exitCode === null) {
        const found = text.split('\n').find((l) => pattern.test(l))
        if (found !== undefined) return found
        await new Promise((wake) => {
          waiters.push(wake)
          setTimeout(wake, 200)
        })
      }
      return text.split('\n').find((l) => pattern.test(l))
    },
    async stop(signal, timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill(signal)
      const timer = new Promise((done) => setTimeout(() => done('timeout'), timeoutMs))
      const result = await Promise.race([exited, timer])
      if (result === 'timeout') child.kill('SIGKILL')
      return result
    },
  }
}

function isFree(p) {
  return new Promise((done) => {
    const probe = createServer()
    probe.once('error', () => done(false))
    probe.listen(p, '127.0.0.1', () => probe.close(() => done(true)))
  })
}

function freePort() {
  return new Promise((done) => {
    const probe = createServer()
    probe.listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address()
      probe.close(() => done(p))
    })
  })
}
