// After `pnpm build`: every package imports by name under plain Node (no loader), and core's
// packed tarball installs into an empty directory and evaluates a flag there.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })

const probe = `
import { createEngine } from '@canarykit/core'
const engine = createEngine()
engine.load(JSON.stringify({ flags: { f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } } }))
const r = engine.evaluate('f', false)
if (r.value !== true || r.reason !== 'STATIC') { console.error('unexpected', r); process.exit(1) }
console.log('ok', JSON.stringify(r))
`

// 1. Plain Node, from the workspace, by package name (resolves to dist/ through "exports").
for (const name of readdirSync(join(root, 'packages'))) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'))
  if (manifest.private || !manifest.exports) continue
  run(
    'node',
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(manifest.name)}); console.log('imports: ${manifest.name}')`,
    ],
    join(root, 'packages', name),
  )
}
process.stdout.write(
  run('node', ['--input-type=module', '-e', probe], join(root, 'packages', 'cli')),
)

// 2. The packed tarball, installed into an empty directory.
const scratch = mkdtempSync(join(tmpdir(), 'canarykit-pack-'))
try {
  run('pnpm', ['pack', '--pack-destination', scratch], join(root, 'packages', 'core'))
  const tarball = readdirSync(scratch).find((file) => file.endsWith('.tgz'))
  if (!tarball) throw new Error('pnpm pack produced no tarball')
  const app = join(scratch, 'app')
  run('mkdir', ['-p', app], scratch)
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'pack-check', private: true, type: 'module' }),
  )
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', join(scratch, tarball)],
    app,
  )
  writeFileSync(join(app, 'probe.mjs'), probe)
  process.stdout.write(run('node', ['probe.mjs'], app))
  console.log(`pack check passed: ${tarball}`)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
