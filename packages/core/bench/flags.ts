/**
 * The benchmark's input: one flagd document with one flag per case, and 1,000 deterministic
 * evaluation contexts (seeded PRNG), in the OpenFeature shape both engines accept.
 */

/** One evaluation context; every context has the same keys in the same order (one hidden class). */
export type BenchContext = {
  readonly targetingKey: string
  readonly tier: string
  readonly region: string
  readonly beta: boolean
  readonly appVersion: string
}

export const TIERS = ['free', 'pro', 'enterprise'] as const
export const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1'] as const
export const EU_REGIONS = ['eu-west-1', 'eu-central-1'] as const
/** Mixes versions below, at and above 2.1.0, including pre-releases on both sides. */
export const APP_VERSIONS = [
  '1.9.9',
  '2.0.3',
  '2.0.10',
  '2.1.0',
  '2.1.0-rc.1',
  '2.1.5',
  '2.10.0',
  '3.0.0-beta.1',
] as const
export const BETA_SHARE = 0.1
export const CONTEXT_COUNT = 1000
export const SEED = 0x5eed_cafe

/** mulberry32: a small, fast, deterministic 32-bit PRNG (uniform in [0, 1)). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

/** A version-4-shaped UUID from the PRNG (lowercase hex, 8-4-4-4-12). */
function uuid(random: () => number): string {
  let hex = ''
  for (let i = 0; i < 4; i++)
    hex += Math.floor(random() * 4294967296)
      .toString(16)
      .padStart(8, '0')
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** The 1,000 contexts, identical on every run; targeting keys are unique. */
export function makeContexts(count = CONTEXT_COUNT, seed = SEED): BenchContext[] {
  const random = mulberry32(seed)
  const contexts: BenchContext[] = []
  const seen = new Set<string>()
  while (contexts.length < count) {
    const targetingKey = uuid(random)
    const tier = pick(random, TIERS)
    const region = pick(random, REGIONS)
    const beta = random() < BETA_SHARE
    const appVersion = pick(random, APP_VERSIONS)
    if (seen.has(targetingKey)) continue
    seen.add(targetingKey)
    contexts.push({ targetingKey, tier, region, beta, appVersion })
  }
  return contexts
}

/**
 * A deep copy per engine, so no engine sees objects another engine has touched. Going through
 * JSON also gives flat strings and plain objects, as a request body parsed by a server would
 * (the generated keys are concatenations, which V8 keeps as slower rope strings).
 */
export function copyContexts(contexts: readonly BenchContext[]): BenchContext[] {
  return JSON.parse(JSON.stringify(contexts)) as BenchContext[]
}

export const FLAG_KEYS = {
  static: 'static-flag',
  tierRegion: 'enterprise-eu',
  rollout: 'new-search-tool',
  semVer: 'app-version-gate',
  ref: 'enterprise-eu-ref',
} as const

const isEnterpriseEu = {
  and: [{ '==': [{ var: 'tier' }, 'enterprise'] }, { in: [{ var: 'region' }, [...EU_REGIONS]] }],
}

const onOff = { on: 'on', off: 'off' }

/** The flagd document both engines load (as JSON text). */
export const FLAGS_DOCUMENT = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  flags: {
    [FLAG_KEYS.static]: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
    },
    [FLAG_KEYS.tierRegion]: {
      state: 'ENABLED',
      variants: onOff,
      defaultVariant: 'off',
      targeting: { if: [isEnterpriseEu, 'on', 'off'] },
    },
    [FLAG_KEYS.rollout]: {
      state: 'ENABLED',
      variants: onOff,
      defaultVariant: 'off',
      targeting: {
        if: [
          isEnterpriseEu,
          'on',
          { '==': [{ var: 'beta' }, true] },
          'on',
          {
            fractional: [
              ['on', 10],
              ['off', 90],
            ],
          },
        ],
      },
    },
    [FLAG_KEYS.semVer]: {
      state: 'ENABLED',
      variants: onOff,
      defaultVariant: 'off',
      targeting: { if: [{ sem_ver: [{ var: 'appVersion' }, '>=', '2.1.0'] }, 'on', 'off'] },
    },
    [FLAG_KEYS.ref]: {
      state: 'ENABLED',
      variants: onOff,
      defaultVariant: 'off',
      targeting: { if: [{ $ref: 'isEnterpriseEu' }, 'on', 'off'] },
    },
  },
  $evaluators: { isEnterpriseEu },
}

export const FLAGS_JSON = JSON.stringify(FLAGS_DOCUMENT, null, 2)
