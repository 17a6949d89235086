import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'

/*
 * The README's first use is taken from the getting-started guide's server, which CI runs
 * (.ci/getting-started-check.mjs): every line of the snippet must be a line of that server.
 */

const read = (path: string): Promise<string> => readFile(new URL(path, import.meta.url), 'utf8')

/** The body of the first fenced block whose info string starts with `info`. */
function block(markdown: string, info: RegExp): string[] {
  const match = new RegExp(`\`\`\`${info.source}\\n([\\s\\S]*?)\`\`\``).exec(markdown)
  return (match?.[1] ?? '').split('\n').map((line) => line.trim())
}

describe('the README', () => {
  it('shows lines of the getting-started server, in its order', async () => {
    const readme = block(await read('../README.md'), /js/).filter((line) => line !== '')
    const server = block(await read('../../../docs/getting-started.md'), /js title="server\.mjs"/)
    expect(readme.length).toBeGreaterThan(4)
    expect(readme.length).toBeLessThanOrEqual(10)
    let at = 0
    for (const line of readme.filter((l) => !l.startsWith('server.registerTool'))) {
      const found = server.indexOf(line, at)
      expect(found, line).toBeGreaterThanOrEqual(0)
      at = found + 1
    }
    // registerTool sits in the per-session factory, after the rest.
    expect(server).toContain(readme.find((l) => l.startsWith('server.registerTool')))
  })
})
