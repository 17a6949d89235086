import { readFileSync } from 'node:fs'
import { createEngine } from '@canarykit/core'

const engine = createEngine()
engine.load(readFileSync('flags.json', 'utf8'), { source: 'flags.json' })
const r = engine.evaluate('new-search', false, { targetingKey: 'session-42', tier: 'pro' })
console.log(`new-search=${r.value} variant=${r.variant} reason=${r.reason}`)
