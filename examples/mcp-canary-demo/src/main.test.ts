import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/*
 * Runs the shortened demo (`--quick`) as `pnpm demo` does, in a child process: a real MCP
 * server, real MCP clients, the guard on a real flags file. Outcomes, not timings, are asserted;
 * the time bound only keeps a hung run from hanging the suite.
 */

const exampleDir = fileURLToPath(new URL('..', import.meta.url))
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url))

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

let dir: string
let run: Run

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canarykit-demo-test-'))
  run = await new Promise<Run>((resolve) => {
    execFile(
      tsx,
      ['--conditions=@canarykit/source', 'src/main.ts', '--quick', '--seed', '7', '--dir', dir],
      { cwd: exampleDir, encoding: 'utf8', timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })
}, 160_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('pnpm demo --quick', () => {
  it('exits 0 after both outcomes, in plain progress lines (no TTY)', () => {
    expect(run.stderr).not.toContain('warning: something kept the process alive')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('✓ search-v2 (healthy v2): the guard walked it')
    expect(run.stdout).toContain('✓ search-v3 (v3 with a regression): the guard rolled it back')
    expect(run.stdout).toMatch(/both outcomes happened in \d+\.\d s/)
    expect(run.stdout).not.toContain('\x1b[') // no cursor control without a terminal
  })

  it('walks the healthy release through every stage, in order', () => {
    const decision = /search-v2 {2}(proceed|complete) +(?:proceeding to|completing at) (\d+) %/g
    const moves = [...run.stdout.matchAll(decision)]
    expect(moves.map((m) => [m[1], m[2]])).toEqual([
      ['proceed', '10'],
      ['proceed', '50'],
      ['complete', '100'],
    ])
  })

  it('shows the rollback: decision, webhook alert, audit record, flags file and status', () => {
    expect(run.stdout).toMatch(/search-v3 {2}rollback +rolling back at (1|10|50) %: /)
    expect(run.stdout).toContain('webhook received the rollback alert')
    expect(run.stdout).toMatch(/:rotating_light: canarykit: `search-v3`: rolling back at/)
    expect(run.stdout).toContain('"action": "rollback"')
    expect(run.stdout).toContain('search-v3  rolled-back  stage')
  })

  it('leaves the flags file and the audit log recording both outcomes', async () => {
    const flags = JSON.parse(await readFile(join(dir, 'flags.json'), 'utf8')) as {
      flags: Record<string, { defaultVariant: string; targeting?: unknown; metadata: object }>
      canarykit: { rollouts: Record<string, { phase: string; epoch: number }> }
    }
    expect(flags.canarykit.rollouts['search-v2']?.phase).toBe('completed')
    expect(flags.canarykit.rollouts['search-v3']).toMatchObject({ phase: 'rolled-back', epoch: 1 })
    expect(flags.flags['search-v3']).toMatchObject({
      defaultVariant: 'stable',
      metadata: { 'canarykit.pinEpoch': 1 },
    })
    expect(flags.flags['search-v3']?.targeting).toBeUndefined()

    const audit = (await readFile(join(dir, 'flags.audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { flagKey: string; action: string; actor: string })
    expect(audit.map((r) => `${r.flagKey} ${r.action} ${r.actor}`)).toEqual([
      'search-v2 start demo',
      'search-v2 proceed guard',
      'search-v2 proceed guard',
      'search-v2 complete guard',
      'search-v3 start demo',
      ...audit.slice(5, -1).map((r) => `search-v3 ${r.action} guard`),
      'search-v3 rollback guard',
    ])
  })
})
