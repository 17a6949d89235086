/*
 * The README's first use, run as written: the snippet is the lines of the two `first-use`
 * regions below (imports, then the body, dedented); the last test fails if they drift apart.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CanaryRouter } from '@canarykit/mcp'
import { describe, expect, it } from 'vitest'
import { connect, FLAG, rolloutDocument, TOOL } from '../test/mcp-traffic.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
// #region first-use
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createEngine } from '@canarykit/core'
import { createCanaryRouter } from '@canarykit/mcp'
import { createPrometheusMetrics, instrumentEngine } from '@canarykit/telemetry'
// #endregion

function firstUse(): { router: CanaryRouter; server: Server } {
  // #region first-use
  const metrics = createPrometheusMetrics()
  const engine = instrumentEngine(createEngine(), metrics)
  engine.load(readFileSync('flags.json', 'utf8'), { source: 'flags.json' })
  const router = createCanaryRouter({ evaluator: engine, sinks: [metrics] })
  const server = createServer(metrics.handler).listen(9464, '127.0.0.1')
  // #endregion
  return { router, server }
}

describe('the README’s first use', () => {
  it('serves metrics of real routed calls on :9464', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canarykit-telemetry-readme-'))
    const cwd = process.cwd()
    writeFileSync(join(dir, 'flags.json'), JSON.stringify(rolloutDocument(100)))
    let used: ReturnType<typeof firstUse>
    try {
      process.chdir(dir)
      used = firstUse()
    } finally {
      process.chdir(cwd)
      rmSync(dir, { recursive: true, force: true })
    }
    const { router, server } = used
    try {
      await new Promise((resolve) => server.once('listening', resolve))
      const make = (): McpServer => {
        const mcp = new McpServer({ name: 'docs', version: '1.0.0' })
        mcp.registerTool(
          TOOL,
          { inputSchema: { q: z.string() } },
          router.tool({
            name: TOOL,
            flag: FLAG,
            variants: {
              stable: () => ({ content: [{ type: 'text', text: 'v1' }] }),
              canary: () => ({ content: [{ type: 'text', text: 'v2' }] }),
            },
          }),
        )
        return mcp
      }
      const session = await connect(make, 'session-1')
      await session.search()
      await session.close()
      const body = await (await fetch('http://127.0.0.1:9464/metrics')).text()
      expect(body).toContain(
        `canarykit_tool_calls_total{tool="${TOOL}",flag="${FLAG}",variant="canary",outcome="ok"} 1`,
      )
      expect(body).toContain(`canarykit_sessions_assigned_total{flag="${FLAG}",variant="canary"} 1`)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('is the snippet in README.md', () => {
    const source = readFileSync(new URL(import.meta.url), 'utf8')
    const regions = [...source.matchAll(/\/\/ #region first-use\n([\s\S]*?)\s*\/\/ #endregion/g)]
    const snippet = regions
      .map((m) => (m[1] as string).replace(/^ {2}/gm, ''))
      .join('\n')
      .trim()
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]?.trim()
    expect(block).toBe(snippet)
    expect(snippet.split('\n').length).toBeLessThanOrEqual(10)
  })
})
