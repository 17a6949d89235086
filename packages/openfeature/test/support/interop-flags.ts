/**
 * The interop fixture: a generated flagd document exercising targeting, `fractional`, `sem_ver`,
 * `$ref`, `starts_with`/`ends_with`, every flag type, a disabled flag and a rule that can return
 * null; and a seeded generator of random evaluation contexts with ASCII targeting keys.
 */
import type { FlagsDocument } from '@canarykit/core'
import type { EvaluationContext } from '@openfeature/server-sdk'

export type FlagType = 'boolean' | 'string' | 'number' | 'object'

/** Each flag with its type and the default a caller passes. */
export const INTEROP_FLAGS: readonly (readonly [string, FlagType, unknown])[] = [
  ['tier-gate', 'boolean', false],
  ['rollout', 'string', 'none'],
  ['rollout-by-user', 'string', 'none'],
  ['version-gate', 'string', 'none'],
  ['beta-banner', 'boolean', false],
  ['limit', 'number', -1],
  ['layout', 'object', {}],
  ['combo', 'string', 'none'],
  ['static-color', 'string', 'none'],
  ['static-color', 'number', 0],
  ['retired', 'boolean', false],
  ['missing', 'boolean', false],
]

/** The document; `weights` varies the fractional splits so the file is generated, not fixed. */
export function interopDocument(weights: readonly [number, number, number]): FlagsDocument {
  const [a, b, c] = weights
  return {
    $schema: 'https://flagd.dev/schema/v0/flags.json',
    metadata: { flagSetId: 'interop', version: '1' },
    $evaluators: {
      isBeta: { ends_with: [{ var: 'email' }, '@example.com'] },
      isPaid: { in: [{ var: 'tier' }, ['pro', 'enterprise']] },
    },
    flags: {
      'tier-gate': {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: { if: [{ $ref: 'isPaid' }, 'on', 'off'] },
      },
      rollout: {
        state: 'ENABLED',
        variants: { control: 'control', treatment: 'treatment', holdout: 'holdout' },
        defaultVariant: 'control',
        targeting: {
          fractional: [
            ['control', a],
            ['treatment', b],
            ['holdout', c],
          ],
        },
      },
      'rollout-by-user': {
        state: 'ENABLED',
        variants: { a: 'a', b: 'b' },
        defaultVariant: 'a',
        targeting: {
          fractional: [
            { cat: [{ var: '$flagd.flagKey' }, { var: 'userId' }] },
            ['a', a],
            ['b', b + c],
          ],
        },
      },
      'version-gate': {
        state: 'ENABLED',
        variants: { new: 'new', old: 'old' },
        defaultVariant: 'old',
        targeting: { if: [{ sem_ver: [{ var: 'version' }, '>=', '2.1.0'] }, 'new', 'old'] },
      },
      'beta-banner': {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: { if: [{ $ref: 'isBeta' }, 'on', null] },
      },
      limit: {
        state: 'ENABLED',
        variants: { low: 10, mid: 50, high: 1000 },
        defaultVariant: 'low',
        targeting: {
          if: [
            { '==': [{ var: 'region' }, 'eu-west'] },
            {
              fractional: [
                ['mid', 1],
                ['high', 1],
              ],
            },
            { $ref: 'isPaid' },
            'high',
            'low',
          ],
        },
      },
      layout: {
        state: 'ENABLED',
        variants: { grid: { columns: 3, dense: true }, list: { columns: 1, dense: false } },
        defaultVariant: 'list',
        targeting: { if: [{ starts_with: [{ var: 'targetingKey' }, 'a'] }, 'grid', 'list'] },
      },
      combo: {
        state: 'ENABLED',
        variants: { canary: 'canary', stable: 'stable' },
        defaultVariant: 'stable',
        targeting: {
          if: [
            { and: [{ $ref: 'isBeta' }, { sem_ver: [{ var: 'version' }, '^', '2.0.0'] }] },
            { fractional: [{ var: 'targetingKey' }, ['canary', 20], ['stable', 80]] },
            { '>': [{ var: 'age' }, 40] },
            'canary',
            null,
          ],
        },
      },
      'static-color': {
        state: 'ENABLED',
        variants: { red: 'red', blue: 'blue' },
        defaultVariant: 'blue',
      },
      retired: {
        state: 'DISABLED',
        variants: { on: true, off: false },
        defaultVariant: 'on',
      },
    },
  }
}

/** A seeded PRNG (mulberry32), so a failure names a reproducible context. */
export function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('')

/** A random context; every attribute is sometimes absent. */
export function randomContext(random: () => number): EvaluationContext {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const maybe = <T>(value: T): T | undefined => (random() < 0.85 ? value : undefined)
  let targetingKey = ''
  const length = 1 + Math.floor(random() * 24)
  for (let i = 0; i < length; i++) targetingKey += pick([...ASCII])
  const version = pick([
    `${Math.floor(random() * 4)}.${Math.floor(random() * 4)}.${Math.floor(random() * 4)}`,
    `v2.${Math.floor(random() * 3)}.0`,
    '2.1.0-beta.1',
    'not-a-version',
  ])
  const context: Record<string, unknown> = {
    targetingKey,
    tier: maybe(pick(['free', 'pro', 'enterprise', 'trial'])),
    version: maybe(version),
    region: maybe(pick(['eu-west', 'us-east', 'ap-south'])),
    email: maybe(
      `${targetingKey.replace(/[^a-z]/gi, '') || 'x'}@${pick(['example.com', 'corp.io'])}`,
    ),
    userId: maybe(pick([String(Math.floor(random() * 1e6)), `user-${Math.floor(random() * 1e4)}`])),
    age: maybe(Math.floor(random() * 80)),
  }
  for (const key of Object.keys(context)) if (context[key] === undefined) delete context[key]
  return context as EvaluationContext
}
