import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FLAGS, runCli, tempDir, writeFiles } from '../testing/harness.js'

let dir: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(() => cleanup())

/** One flag with a rule that deviates from the flagd schema but still compiles. */
const WITH_WARNING = {
  flags: {
    ...FLAGS.flags,
    odd: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ '==': [{ var: 'x' }, 1, 2] }, 'on', 'off'] },
    },
  },
}

const BROKEN = {
  flags: {
    ...FLAGS.flags,
    broken: {
      state: 'ENABLED',
      variants: { on: true },
      defaultVariant: 'on',
      targeting: { nosuchop: [1] },
    },
  },
}

const SCHEMA_VIOLATIONS = {
  flags: {
    ...FLAGS.flags,
    checkout: { state: 'ON', variants: { on: true, off: false }, defaultVariant: 'maybe' },
  },
}

describe('canarykit validate', () => {
  it('reports a valid file in one line and exits 0', async () => {
    await writeFiles(dir, { 'flags.json': FLAGS })
    const result = await runCli(['validate', 'flags.json'], dir)
    expect(result).toEqual({
      code: 0,
      stdout: 'flags.json: ok, 3 flags (2 with targeting)\n',
      stderr: '',
    })
  })

  it('lists warnings below the summary without failing', async () => {
    await writeFiles(dir, { 'flags.json': WITH_WARNING })
    const { code, stdout } = await runCli(['validate', 'flags.json'], dir)
    expect(code).toBe(0)
    const [summary, warning, ...rest] = stdout.trimEnd().split('\n')
    expect(summary).toBe('flags.json: ok, 4 flags (3 with targeting), 1 warning')
    expect(warning).toMatch(
      /^ {2}warning: flag "odd": \/flags\/odd\/targeting\/if\/0\/==: .*flagd schema: must NOT have more than 2 items/,
    )
    expect(rest).toEqual([])
  })

  it('names the file, line and column of invalid JSON', async () => {
    await writeFiles(dir, { 'bad.json': '{\n  "flags": {\n    "x": 1,,\n  }\n}\n' })
    const { code, stdout } = await runCli(['validate', 'bad.json'], dir)
    expect(code).toBe(1)
    expect(stdout).toMatch(
      /^bad\.json: invalid, 1 error\n {2}error: .*invalid JSON.*line 3 column \d+/,
    )
  })

  it('reports every schema violation with file, flag and JSON path', async () => {
    await writeFiles(dir, { 'flags.json': SCHEMA_VIOLATIONS })
    const { code, stdout } = await runCli(['validate', 'flags.json'], dir)
    expect(code).toBe(1)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('flags.json: invalid, 2 errors')
    expect(lines[1]).toMatch(/^ {2}error: flag "checkout": \/flags\/checkout\/state: .*ENABLED/)
    expect(lines[2]).toMatch(
      /^ {2}error: flag "checkout": \/flags\/checkout\/defaultVariant: .*"maybe"/,
    )
  })

  it('fails on a broken flag, which would evaluate to PARSE_ERROR', async () => {
    await writeFiles(dir, { 'flags.json': BROKEN })
    const { code, stdout } = await runCli(['validate', 'flags.json'], dir)
    expect(code).toBe(1)
    expect(stdout).toContain('flags.json: invalid, 4 flags (3 with targeting), 1 broken flag')
    expect(stdout).toMatch(/ {2}error: flag "broken": \/flags\/broken\/targeting: .*PARSE_ERROR/)
  })

  it('reports each file: one bad file fails the run, the good one is still ok', async () => {
    await writeFiles(dir, { 'good.json': FLAGS, 'bad.json': SCHEMA_VIOLATIONS })
    const { code, stdout } = await runCli(['validate', 'good.json', 'bad.json'], dir)
    expect(code).toBe(1)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('good.json: ok, 3 flags (2 with targeting)')
    expect(lines[1]).toBe('bad.json: invalid, 2 errors')
    expect(lines.at(-1)).toBe('2 files: 1 ok, 1 failed')
  })

  it('reports a missing file clearly', async () => {
    const { code, stdout } = await runCli(['validate', 'missing.json'], dir)
    expect(code).toBe(1)
    expect(stdout).toBe('missing.json: cannot read: no such file or directory\n')
  })

  it('reports a directory and an empty file', async () => {
    await mkdir(join(dir, 'flags.d'))
    await writeFiles(dir, { 'empty.json': '' })
    const { code, stdout } = await runCli(['validate', 'flags.d', 'empty.json'], dir)
    expect(code).toBe(1)
    expect(stdout).toContain('flags.d: cannot read: is a directory')
    expect(stdout).toContain('empty.json: invalid, 1 error\n  error: the document is empty')
  })

  it('accepts absolute paths', async () => {
    await writeFiles(dir, { 'flags.json': FLAGS })
    const { code } = await runCli(['validate', join(dir, 'flags.json')], '/')
    expect(code).toBe(0)
  })

  it('prints one JSON object with --json', async () => {
    await writeFiles(dir, { 'good.json': WITH_WARNING, 'bad.json': SCHEMA_VIOLATIONS })
    const { code, stdout } = await runCli(
      ['validate', '--json', 'good.json', 'bad.json', 'missing.json'],
      dir,
    )
    expect(code).toBe(1)
    const report = JSON.parse(stdout) as unknown
    expect(report).toMatchObject({
      ok: false,
      files: [
        {
          file: 'good.json',
          ok: true,
          status: 'ok',
          flags: 4,
          flagsWithTargeting: 3,
          errors: [],
          brokenFlags: [],
          warnings: [{ flagKey: 'odd', path: '/flags/odd/targeting/if/0/==' }],
        },
        {
          file: 'bad.json',
          ok: false,
          status: 'invalid',
          errors: [
            { flagKey: 'checkout', path: '/flags/checkout/state' },
            { flagKey: 'checkout', path: '/flags/checkout/defaultVariant' },
          ],
        },
        { file: 'missing.json', ok: false, status: 'unreadable' },
      ],
    })
  })

  it('reports ok: true in JSON when every file is valid', async () => {
    await writeFiles(dir, { 'flags.json': FLAGS })
    const { code, stdout } = await runCli(['validate', 'flags.json', '--json'], dir)
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, files: [{ ok: true, flags: 3 }] })
  })
})
