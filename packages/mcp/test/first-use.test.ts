/*
 * The README's first use, run as written: the README's snippet is the lines of the two
 * `first-use` regions below (imports, then the body, dedented); the last test fails if they
 * drift apart.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rolloutFlag } from '@canarykit/core'
import { McpServer, type ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
// #region first-use
import { createEngine } from '@canarykit/core'
import { canaryTool } from '@canarykit/mcp'
// #endregion
import { connectInMemory, textOf, variantOf } from './harness.js'

type Search = ToolCallback<{ q: z.ZodString }>
const searchV1: Search = ({ q }) => ({ content: [{ type: 'text', text: `v1 results for ${q}` }] })
const searchV2: Search = ({ q }) => ({ content: [{ type: 'text', text: `v2 results for ${q}` }] })

/** What the server author writes, given their server and two implementations. */
function firstUse(server: McpServer): void {
  // #region first-use
  const engine = createEngine()
  engine.load(readFileSync('flags.json', 'utf8'), { source: 'flags.json' })
  const variants = { stable: searchV1, canary: searchV2 }
  server.registerTool(
    'search',
    { description: 'Search the docs', inputSchema: { q: z.string() } },
    canaryTool({ flag: 'search-v2', variants, evaluator: engine }),
  )
  // #endregion
}

describe('the README’s first use', () => {
  it('routes a session by the flags file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canarykit-first-use-'))
    const cwd = process.cwd()
    const flag = rolloutFlag({
      variants: { baseline: ['stable', 'v1'], canary: ['canary', 'v2'] },
      percentage: 100,
    })
    writeFileSync(join(dir, 'flags.json'), JSON.stringify({ flags: { 'search-v2': flag } }))
    const server = new McpServer({ name: 'docs', version: '1.0.0' })
    try {
      process.chdir(dir)
      firstUse(server)
    } finally {
      process.chdir(cwd)
      rmSync(dir, { recursive: true, force: true })
    }
    const connection = await connectInMemory(server, { sessionId: 'session-42' })
    try {
      const result = await connection.client.callTool({ name: 'search', arguments: { q: 'mcp' } })
      expect(textOf(result)).toBe('v2 results for mcp')
      expect(variantOf(result)).toBe('canary')
    } finally {
      await connection.close()
    }
  })

  it('is the snippet the README shows', () => {
    const source = readFileSync(new URL(import.meta.url), 'utf8')
    const regions = [...source.matchAll(/\/\/ #region first-use\n([\s\S]*?)\s*\/\/ #endregion/g)]
    const [imports, body] = regions.map((match) => match[1] as string)
    const dedented = (body ?? '').replace(/^ {2}/gm, '')
    const snippet = `${imports}\n${dedented}`.trim()
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(readme).toContain(`\`\`\`ts\n${snippet}\n\`\`\``)
    expect(snippet.split('\n').length).toBeLessThanOrEqual(10)
  })
})
