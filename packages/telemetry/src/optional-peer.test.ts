import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadOtelApi, loadPromClient } from './optional-peer.js'

describe('optional peers', () => {
  it('are never imported at runtime by the package, only loaded by the factory that needs them', () => {
    const dir = new URL('./', import.meta.url)
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.includes('.test'))
    expect(sources.length).toBeGreaterThan(10)
    for (const file of sources) {
      const text = readFileSync(new URL(file, dir), 'utf8')
      const runtime = [...text.matchAll(/^import (?!type )[^;]*?from '([^']+)'/gm)].map((m) => m[1])
      expect(
        runtime.filter((name) => /^(prom-client|@opentelemetry\/)/.test(name ?? '')),
        file,
      ).toEqual([])
    }
  })

  it('load when installed', () => {
    expect(typeof loadPromClient().Registry).toBe('function')
    expect(typeof loadOtelApi().trace.getTracer).toBe('function')
  })
})
