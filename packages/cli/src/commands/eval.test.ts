import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createEngine } from '@canarykit/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { run } from '../index.js'
import { FLAGS, runCli, tempDir, writeFiles } from '../testing/harness.js'

let dir: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
  await writeFiles(dir, { 'flags.json': FLAGS })
})
afterEach(() => cleanup())

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '')

/** `count` contexts, one per line: `{"targetingKey":"session-0"}` … */
async function writeSessions(name: string, count: number): Promise<void> {
  const rows: string[] = []
  for (let i = 0; i < count; i++) rows.push(JSON.stringify({ targetingKey: `session-${i}` }))
  await writeFile(join(dir, name), `${rows.join('\n')}\n`)
}

describe('canarykit eval, one context', () => {
  it('evaluates every flag, one line each, in document order', async () => {
    const context = '{"targetingKey":"session-42","tier":"pro"}'
    const { code, stdout, stderr } = await runCli(['eval', 'flags.json', '--context', context], dir)
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    const [search, color, limit, ...rest] = lines(stdout)
    expect(search).toMatch(
      /^new-search {2}session-42 {2}value=(true|false) variant=(on|off) reason=TARGETING_MATCH$/,
    )
    expect(color).toBe('color  session-42  value="blue" variant=blue reason=TARGETING_MATCH')
    expect(limit).toBe('limit  session-42  reason=DISABLED')
    expect(rest).toEqual([])
  })

  it('uses an empty context by default', async () => {
    const { code, stdout } = await runCli(['eval', 'flags.json', '--flag', 'color'], dir)
    expect(code).toBe(0)
    expect(stdout).toBe('color  -  value="red" variant=red reason=DEFAULT\n')
  })

  it('evaluates one flag as the type of its variants, as core does', async () => {
    const context = { targetingKey: 'session-7' }
    const { code, stdout } = await runCli(
      [
        'eval',
        'flags.json',
        '--flag',
        'new-search',
        '--context',
        JSON.stringify(context),
        '--json',
      ],
      dir,
    )
    expect(code).toBe(0)
    const engine = createEngine()
    engine.load(JSON.stringify(FLAGS))
    const expected = engine.evaluate('new-search', false, context)
    expect(JSON.parse(stdout)).toEqual({
      flagKey: 'new-search',
      targetingKey: 'session-7',
      value: expected.value,
      variant: 'variant' in expected ? expected.variant : undefined,
      reason: 'TARGETING_MATCH',
    })
  })

  it('reports a missing --flag as FLAG_NOT_FOUND and exits 1', async () => {
    const { code, stdout, stderr } = await runCli(['eval', 'flags.json', '--flag', 'nope'], dir)
    expect(code).toBe(1)
    expect(stdout).toMatch(/^nope {2}- {2}reason=ERROR errorCode=FLAG_NOT_FOUND message=/)
    expect(stderr).toBe('flags.json: flag "nope" not found (flags: new-search, color, limit)\n')
  })

  it('prints one JSON object per flag with --json', async () => {
    const { code, stdout } = await runCli(
      ['eval', 'flags.json', '--json', '--context', '{"targetingKey":"s-1"}'],
      dir,
    )
    expect(code).toBe(0)
    const rows = lines(stdout).map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(rows.map((row) => row['flagKey'])).toEqual(['new-search', 'color', 'limit'])
    expect(rows[1]).toEqual({
      flagKey: 'color',
      targetingKey: 's-1',
      value: 'red',
      variant: 'red',
      reason: 'DEFAULT',
    })
    expect(rows[2]).toEqual({ flagKey: 'limit', targetingKey: 's-1', reason: 'DISABLED' })
  })

  it('evaluates broken flags to PARSE_ERROR and notes them on stderr', async () => {
    const broken = {
      state: 'ENABLED',
      variants: { a: 1 },
      defaultVariant: 'a',
      targeting: { x: 1 },
    }
    await writeFiles(dir, { 'broken.json': { flags: { broken } } })
    const { code, stdout, stderr } = await runCli(['eval', 'broken.json', '--json'], dir)
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' })
    expect(stderr).toMatch(/^broken\.json: warning: flag "broken": .*PARSE_ERROR/)
  })

  it('refuses an invalid or missing flags file with exit 1', async () => {
    await writeFiles(dir, { 'bad.json': { flags: { x: { state: 'ON', variants: { a: 1 } } } } })
    const invalid = await runCli(['eval', 'bad.json'], dir)
    expect(invalid.code).toBe(1)
    expect(invalid.stdout).toBe('')
    expect(invalid.stderr).toMatch(
      /^bad\.json: invalid, 1 error\n {2}error: flag "x": \/flags\/x\/state/,
    )
    const missing = await runCli(['eval', 'missing.json'], dir)
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'missing.json: cannot read: no such file or directory\n',
    })
  })
})

describe('canarykit eval --contexts', () => {
  it('splits 100,000 sessions 25/75 within statistical bounds', async () => {
    const count = 100_000
    await writeSessions('sessions.jsonl', count)
    const { code, stdout, stderr } = await runCli(
      ['eval', 'flags.json', '--flag', 'new-search', '--contexts', 'sessions.jsonl', '--json'],
      dir,
    )
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    const rows = lines(stdout).map((line) => JSON.parse(line) as { value: boolean; line: number })
    expect(rows).toHaveLength(count)
    expect(rows.every((row, i) => row.line === i + 1)).toBe(true)
    // Binomial(100000, 0.25): sd ≈ 137, so ±1000 is over 7 sd and will not flake.
    const on = rows.filter((row) => row.value).length
    expect(on).toBeGreaterThan(24_000)
    expect(on).toBeLessThan(26_000)
  }, 60_000)

  it('skips blank lines and reports malformed lines by number, exit 1', async () => {
    const text = ['{"targetingKey":"a"}', '{bad', '[1]', '   ', '', '{"targetingKey":"e"}'].join(
      '\n',
    )
    await writeFiles(dir, { 'ctx.jsonl': text })
    const { code, stdout, stderr } = await runCli(
      ['eval', 'flags.json', '--flag', 'color', '--contexts', 'ctx.jsonl', '--json'],
      dir,
    )
    expect(code).toBe(1)
    const rows = lines(stdout).map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(rows.map((row) => [row['targetingKey'], row['line']])).toEqual([
      ['a', 1],
      ['e', 6],
    ])
    const errors = lines(stderr)
    expect(errors[0]).toMatch(/^ctx\.jsonl:2: invalid JSON: /)
    expect(errors[1]).toBe('ctx.jsonl:3: a context must be a JSON object, got an array')
    expect(errors).toHaveLength(2)
  })

  it('caps the malformed-line messages and prints the total', async () => {
    await writeFiles(dir, { 'ctx.jsonl': 'nope\n'.repeat(25) })
    const { code, stderr } = await runCli(['eval', 'flags.json', '--contexts', 'ctx.jsonl'], dir)
    expect(code).toBe(1)
    const errors = lines(stderr)
    expect(errors).toHaveLength(11)
    expect(errors.at(-1)).toBe('ctx.jsonl: 25 malformed lines skipped (first 10 shown)')
  })

  it('reports an unreadable contexts file with exit 1', async () => {
    const missing = await runCli(['eval', 'flags.json', '--contexts', 'nope.jsonl'], dir)
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'nope.jsonl: cannot read: no such file or directory\n',
    })
    const directory = await runCli(['eval', 'flags.json', '--contexts', '.'], dir)
    expect(directory).toEqual({ code: 1, stdout: '', stderr: '.: cannot read: is a directory\n' })
  })

  it('waits for drain when stdout is full, and loses no output', async () => {
    await writeSessions('sessions.jsonl', 5_000)
    let output = ''
    let refusals = 0
    const stdout = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString()
        setImmediate(done) // a slow reader
      },
    })
    const write = stdout.write.bind(stdout)
    stdout.write = ((chunk: string) => {
      const accepted = write(chunk)
      if (!accepted) refusals++
      return accepted
    }) as typeof stdout.write
    const stderr = { write: () => true }
    const args = ['eval', 'flags.json', '--contexts', 'sessions.jsonl']
    const code = await run(args, { stdout, stderr, cwd: dir })
    expect(code).toBe(0)
    expect(refusals).toBeGreaterThan(0)
    await new Promise((resolve) => stdout.end(resolve))
    expect(lines(output)).toHaveLength(15_000)
  })
})

describe('canarykit eval usage errors', () => {
  it('exits 2 when --context is not a JSON object', async () => {
    const bad = await runCli(['eval', 'flags.json', '--context', '{oops'], dir)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("option '--context <json>' argument '{oops' is invalid")
    const array = await runCli(['eval', 'flags.json', '--context', '[]'], dir)
    expect(array.code).toBe(2)
    expect(array.stderr).toContain('a context must be a JSON object, got an array')
  })

  it('exits 2 when both --context and --contexts are given', async () => {
    const args = ['eval', 'flags.json', '--context', '{}', '--contexts', 'x.jsonl']
    const { code, stderr } = await runCli(args, dir)
    expect(code).toBe(2)
    expect(stderr).toContain('cannot be used with')
  })
})
