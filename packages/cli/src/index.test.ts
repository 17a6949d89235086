import { createRequire } from 'node:module'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, tempDir } from './testing/harness.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

let dir: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(() => cleanup())

describe('canarykit usage', () => {
  it.each([
    ['an unknown command', ['deploy'], "unknown command 'deploy'"],
    ['an unknown option', ['validate', '--strict', 'flags.json'], "unknown option '--strict'"],
    ['a missing argument', ['validate'], "missing required argument 'files'"],
    ['a missing option value', ['eval', 'flags.json', '--flag'], "'--flag <key>' argument missing"],
    ['an excess argument', ['eval', 'a.json', 'b.json'], 'too many arguments'],
  ])('exits 2 on %s', async (_name, argv, message) => {
    const { code, stdout, stderr } = await runCli(argv, dir)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain(message)
    expect(stderr).toContain('run canarykit --help for usage')
  })

  it('exits 2 and shows help without a command', async () => {
    const { code, stderr } = await runCli([], dir)
    expect(code).toBe(2)
    expect(stderr).toContain('Usage: canarykit')
  })

  it('prints the package version', async () => {
    expect(await runCli(['--version'], dir)).toEqual({
      code: 0,
      stdout: `${version}\n`,
      stderr: '',
    })
  })

  it('lists the commands and the exit codes in --help', async () => {
    const { code, stdout } = await runCli(['--help'], dir)
    expect(code).toBe(0)
    expect(stdout).toMatch(/validate \[options\] <files\.\.\.>/)
    expect(stdout).toMatch(/eval \[options\] <flags>/)
    expect(stdout).toContain('2  usage error')
  })

  it('lists the rollout commands, each documenting its exit codes', async () => {
    const { stdout } = await runCli(['--help'], dir)
    for (const command of ['status', 'promote', 'rollback', 'pause', 'resume', 'init']) {
      expect(stdout).toMatch(new RegExp(`\\n  ${command} \\[options\\]`))
      const help = await runCli([command, '--help'], dir)
      expect(help.code).toBe(0)
      expect(help.stdout).toContain('Exit codes:')
      expect(help.stdout).toContain('2  usage error')
    }
  })

  it('documents that broken flags fail validate', async () => {
    const { code, stdout } = await runCli(['help', 'validate'], dir)
    expect(code).toBe(0)
    expect(stdout).toContain('A broken flag does')
    expect(stdout).toContain('1  a file is unreadable, invalid, or has a broken flag')
  })

  it('documents the malformed-line policy in eval --help', async () => {
    const { code, stdout } = await runCli(['eval', '--help'], dir)
    expect(code).toBe(0)
    expect(stdout).toContain('reported on stderr with its line')
  })
})
