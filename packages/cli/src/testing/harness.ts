import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run, type TextSink } from '../index.js'

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the CLI in-process with `cwd` as the base for relative paths. */
export async function runCli(argv: readonly string[], cwd: string): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await run(argv, {
    stdout: collector((chunk) => (stdout += chunk)),
    stderr: collector((chunk) => (stderr += chunk)),
    cwd,
  })
  return { code, stdout, stderr }
}

function collector(append: (chunk: string) => void): TextSink {
  return {
    write(chunk) {
      append(chunk)
      return true
    },
  }
}

/** A fresh directory under the OS temp dir; `cleanup` removes it. */
export async function tempDir(): Promise<{
  readonly dir: string
  readonly cleanup: () => Promise<void>
}> {
  const dir = await mkdtemp(join(tmpdir(), 'canarykit-cli-'))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** Writes `files` (name → content; objects are JSON-encoded) into `dir`. */
export async function writeFiles(dir: string, files: Record<string, unknown>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2)
    await writeFile(join(dir, name), text)
  }
}

/** A valid document: a 25/75 rollout, a targeted string flag, a disabled number flag. */
export const FLAGS = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  flags: {
    'new-search': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: {
        fractional: [
          ['on', 25],
          ['off', 75],
        ],
      },
    },
    color: {
      state: 'ENABLED',
      variants: { red: 'red', blue: 'blue' },
      defaultVariant: 'red',
      targeting: { if: [{ '==': [{ var: 'tier' }, 'pro'] }, 'blue'] },
    },
    limit: { state: 'DISABLED', variants: { low: 1, high: 10 }, defaultVariant: 'low' },
  },
}
