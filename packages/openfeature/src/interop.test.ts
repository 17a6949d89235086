/**
 * The scale-out path: `@openfeature/flagd-provider` (in-process, reading the same file) must
 * resolve every flag exactly as this provider does. Both run behind the real OpenFeature SDK, in
 * separate domains, on one generated flags file and thousands of random contexts.
 */
import { writeFile } from 'node:fs/promises'
import { bucketOf, murmur3 } from '@canarykit/core'
import { FlagdProvider } from '@openfeature/flagd-provider'
import {
  OpenFeature,
  type Client,
  type EvaluationDetails,
  type FlagValue,
  type JsonValue,
} from '@openfeature/server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  INTEROP_FLAGS,
  interopDocument,
  prng,
  randomContext,
  type FlagType,
} from '../test/support/interop-flags.js'
import { tempFlags, type TempFlags } from '../test/support/flags.js'
import { CanaryProvider } from './canary-provider.js'
import { fileSource } from './file-source.js'

const CONTEXTS = 3000
const SEED = 20260801

let temp: TempFlags
let weights: readonly [number, number, number]
let ours: Client
let flagd: Client

beforeAll(async () => {
  const random = prng(SEED)
  weights = [1 + Math.floor(random() * 60), 1 + Math.floor(random() * 30), 10]
  temp = await tempFlags('{}')
  await writeFile(temp.file, JSON.stringify(interopDocument(weights), null, 2))
  await OpenFeature.setProviderAndWait(
    'canarykit',
    new CanaryProvider({ source: fileSource(temp.file), logger: {} }),
  )
  await OpenFeature.setProviderAndWait(
    'flagd',
    new FlagdProvider({ resolverType: 'in-process', offlineFlagSourcePath: temp.file }),
  )
  ours = OpenFeature.getClient('canarykit')
  flagd = OpenFeature.getClient('flagd')
})

afterAll(async () => {
  // flagd-provider's fs.watchFile keeps the event loop alive until its onClose runs.
  await OpenFeature.clearProviders()
  await temp.cleanup()
})

function details(
  client: Client,
  type: FlagType,
  flagKey: string,
  fallback: unknown,
  context: Parameters<Client['getBooleanDetails']>[2],
): Promise<EvaluationDetails<FlagValue>> {
  switch (type) {
    case 'boolean':
      return client.getBooleanDetails(flagKey, fallback as boolean, context)
    case 'string':
      return client.getStringDetails(flagKey, fallback as string, context)
    case 'number':
      return client.getNumberDetails(flagKey, fallback as number, context)
    case 'object':
      return client.getObjectDetails(flagKey, fallback as JsonValue, context)
  }
}

/** The fields both providers must agree on. */
const comparable = (d: EvaluationDetails<FlagValue>) => ({
  value: d.value,
  variant: d.variant,
  reason: d.reason,
  errorCode: d.errorCode,
  flagMetadata: d.flagMetadata,
})

describe('interop with @openfeature/flagd-provider (in-process, same file)', () => {
  it(`resolves ${CONTEXTS} random contexts to the same value, variant, reason, code and metadata`, async () => {
    const random = prng(SEED + 1)
    const seen = new Map<string, Set<string>>()
    for (let i = 0; i < CONTEXTS; i++) {
      const context = randomContext(random)
      for (const [flagKey, type, fallback] of INTEROP_FLAGS) {
        const a = comparable(await details(ours, type, flagKey, fallback, context))
        const b = comparable(await details(flagd, type, flagKey, fallback, context))
        expect(a, `${flagKey} with ${JSON.stringify(context)}`).toEqual(b)
        const label = `${flagKey}/${type}`
        const outcomes = seen.get(label) ?? new Set()
        outcomes.add(`${a.reason}:${a.errorCode ?? a.variant ?? '-'}`)
        seen.set(label, outcomes)
      }
    }
    // The contexts must reach every branch, or agreement says little.
    const outcomes = (label: string): string[] => [...(seen.get(label) ?? [])].sort()
    expect(outcomes('rollout/string')).toEqual([
      'TARGETING_MATCH:control',
      'TARGETING_MATCH:holdout',
      'TARGETING_MATCH:treatment',
    ])
    expect(outcomes('rollout-by-user/string')).toEqual(['TARGETING_MATCH:a', 'TARGETING_MATCH:b'])
    expect(outcomes('version-gate/string')).toEqual(['TARGETING_MATCH:new', 'TARGETING_MATCH:old'])
    expect(outcomes('beta-banner/boolean')).toEqual(['DEFAULT:off', 'TARGETING_MATCH:on'])
    expect(outcomes('combo/string')).toEqual([
      'DEFAULT:stable',
      'TARGETING_MATCH:canary',
      'TARGETING_MATCH:stable',
    ])
    expect(outcomes('limit/number')).toHaveLength(3)
    expect(outcomes('layout/object')).toHaveLength(2)
    expect(outcomes('static-color/string')).toEqual(['STATIC:blue'])
    expect(outcomes('static-color/number')).toEqual(['ERROR:TYPE_MISMATCH'])
    expect(outcomes('retired/boolean')).toEqual(['DISABLED:-'])
    expect(outcomes('missing/boolean')).toEqual(['ERROR:FLAG_NOT_FOUND'])
  })

  // Documented in docs/openfeature.md: flagd-core (inside flagd-provider 0.16.1) hashes UTF-16
  // code units, flagd itself (Go) and canarykit hash UTF-8 bytes; they agree on ASCII only.
  it('diverges on non-ASCII targeting keys, where canarykit follows flagd (UTF-8)', async () => {
    const [a, b, c] = weights
    const expected = (targetingKey: string): string => {
      const bucket = bucketOf(murmur3(`rollout${targetingKey}`), a + b + c)
      return bucket < a ? 'control' : bucket < a + b ? 'treatment' : 'holdout'
    }
    let differ = 0
    for (let i = 0; i < 100; i++) {
      const targetingKey = `café-${i}`
      const value = await ours.getStringValue('rollout', 'none', { targetingKey })
      expect(value).toBe(expected(targetingKey))
      if (value !== (await flagd.getStringValue('rollout', 'none', { targetingKey }))) differ++
    }
    expect(differ).toBeGreaterThan(0)
  })
})
