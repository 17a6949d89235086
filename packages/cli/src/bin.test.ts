import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FLAGS, tempDir, writeFiles } from './testing/harness.js'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const tsx = `${repoRoot}node_modules/.bin/tsx`
const bin = `${repoRoot}packages/cli/src/bin.ts`

interface Exit {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the real executable as `pnpm canarykit` does; the exit code comes from the process. */
function spawnBin(args: readonly string[], cwd: string): Promise<Exit> {
  return new Promise((resolve) => {
    const argv = ['--conditions=@canarykit/source', bin, ...args]
    execFile(tsx, argv, { cwd }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

let dir: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(() => cleanup())

describe('the canarykit executable', () => {
  it('validates a file and sets the process exit code', async () => {
    await writeFiles(dir, { 'flags.json': FLAGS })
    const ok = await spawnBin(['validate', 'flags.json'], dir)
    expect(ok).toEqual({
      code: 0,
      stdout: 'flags.json: ok, 3 flags (2 with targeting)\n',
      stderr: '',
    })
    const missing = await spawnBin(['validate', 'nope.json'], dir)
    expect(missing.code).toBe(1)
    const usage = await spawnBin(['nope'], dir)
    expect(usage.code).toBe(2)
  }, 30_000)
})
