/**
 * Runs the README's first-use block as it is written, in a fresh process whose working directory
 * holds a real flags.json; the bare imports are pointed at this workspace.
 */
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import { tempFlags } from '../test/support/flags.js'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
const tsx = here('../../../node_modules/.bin/tsx')

it('the README first use runs, prints the resolved value, and lets the process exit', async () => {
  const readme = await readFile(here('../README.md'), 'utf8')
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(snippet).toBeDefined()
  expect((snippet ?? '').trim().split('\n').length).toBeLessThanOrEqual(10)
  const temp = await tempFlags({
    flags: {
      'new-search': {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: { if: [{ '==': [{ var: 'tier' }, 'pro'] }, 'on', null] },
      },
    },
  })
  try {
    const script = (snippet ?? '')
      .replace("'@canarykit/openfeature'", `'${pathToFileURL(here('./index.ts')).href}'`)
      .replace(
        "'@openfeature/server-sdk'",
        `'${pathToFileURL(here('../node_modules/@openfeature/server-sdk/dist/esm/index.js')).href}'`,
      )
    await writeFile(join(temp.dir, 'main.mts'), script)
    const { stdout } = await promisify(execFile)(
      tsx,
      ['--conditions=@canarykit/source', 'main.mts'],
      {
        cwd: temp.dir,
        timeout: 30_000,
      },
    )
    expect(stdout.trim()).toBe('new-search=true')

    // Without the final close(): the watcher and timers are unref'd, so the process still exits.
    await writeFile(join(temp.dir, 'main.mts'), script.replace('await OpenFeature.close()', ''))
    const second = await promisify(execFile)(tsx, ['--conditions=@canarykit/source', 'main.mts'], {
      cwd: temp.dir,
      timeout: 30_000,
    })
    expect(second.stdout.trim()).toBe('new-search=true')
  } finally {
    await temp.cleanup()
  }
})
