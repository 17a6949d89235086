/**
 * `pnpm bench`: `await client.getBooleanValue(...)` through the real OpenFeature SDK with
 * (a) CanaryProvider (file source), (b) @openfeature/flagd-provider in-process on the same file,
 * (c) the SDK's InMemoryProvider (the floor the issue names), (d) a provider that returns one
 * constant result: the SDK's own cost, nothing else. Also each provider's resolver awaited directly
 * (no SDK): what the provider itself costs. One process, interleaved rounds, median ns/op.
 *
 *   pnpm --filter @canarykit/openfeature bench [-- --json] [--rounds N] [--batch-ms B]
 *
 * With `--json`, stdout is exactly one JSON object; progress goes to stderr.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { FlagdProvider } from '@openfeature/flagd-provider'
import {
  InMemoryProvider,
  OpenFeature,
  type EvaluationContext,
  type Provider,
} from '@openfeature/server-sdk'
import { CanaryProvider, fileSource } from '../src/index.js'

interface Options {
  readonly json: boolean
  readonly rounds: number
  readonly batchMs: number
}

function parseArgs(argv: readonly string[]): Options {
  let json = false
  let rounds = 15
  let batchMs = 40
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--json') json = true
    else if (arg === '--rounds') rounds = Math.max(1, Math.round(Number(argv[++i])))
    else if (arg === '--batch-ms') batchMs = Math.max(1, Number(argv[++i]))
    else if (arg !== '--')
      throw new Error(`unknown argument ${arg}; usage: [--json] [--rounds N] [--batch-ms B]`)
  }
  if (!Number.isFinite(rounds) || !Number.isFinite(batchMs)) throw new Error('numbers, please')
  return { json, rounds, batchMs }
}

const FLAGS = {
  flags: {
    static: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    targeted: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: {
        if: [
          { in: [{ var: 'tier' }, ['pro', 'enterprise']] },
          {
            fractional: [
              ['on', 50],
              ['off', 50],
            ],
          },
          'off',
        ],
      },
    },
  },
}

/** The floor: same variants; the targeted case's evaluator checks the tier only (no hashing). */
const IN_MEMORY = new InMemoryProvider({
  static: { disabled: false, variants: { on: true, off: false }, defaultVariant: 'on' },
  targeted: {
    disabled: false,
    variants: { on: true, off: false },
    defaultVariant: 'off',
    contextEvaluator: (ctx: EvaluationContext) =>
      ctx['tier'] === 'pro' || ctx['tier'] === 'enterprise' ? 'on' : 'off',
  },
})

/** The SDK's own cost: a resolver that does nothing but hand back one frozen result. */
const CONSTANT_RESULT = Object.freeze({ value: true, variant: 'on', reason: 'STATIC' })
const CONSTANT: Provider = {
  metadata: { name: 'constant' },
  runsOn: 'server',
  resolveBooleanEvaluation: () => Promise.resolve(CONSTANT_RESULT),
  resolveStringEvaluation: () => Promise.reject(new Error('unused')),
  resolveNumberEvaluation: () => Promise.reject(new Error('unused')),
  resolveObjectEvaluation: () => Promise.reject(new Error('unused')),
}

const CASES = ['static', 'targeted'] as const
const PEERS = ['canarykit', 'flagd', 'in-memory', 'constant'] as const
type Peer = (typeof PEERS)[number]

function contexts(n: number): EvaluationContext[] {
  const tiers = ['free', 'pro', 'enterprise', 'trial']
  return Array.from({ length: n }, (_, i) => ({
    targetingKey: `session-${(i * 2654435761) % 1_000_003}`,
    tier: tiers[i % tiers.length] as string,
  }))
}

type Run = (calls: number) => Promise<number>

/** A timed loop over the contexts; returns how many evaluations were `true` (kept as a sink). */
function loop(fn: (ctx: EvaluationContext) => Promise<boolean>, ctxs: EvaluationContext[]): Run {
  return async (calls) => {
    let on = 0
    for (let i = 0; i < calls; i++) if (await fn(ctxs[i % ctxs.length] as EvaluationContext)) on++
    return on
  }
}

async function timeBatch(run: Run, calls: number): Promise<number> {
  const start = process.hrtime.bigint()
  sink += await run(calls)
  return Number(process.hrtime.bigint() - start) / calls
}
let sink = 0

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  const log = (line: string): void => void process.stderr.write(`${line}\n`)
  const dir = await mkdtemp(join(tmpdir(), 'canarykit-bench-'))
  const file = join(dir, 'flags.json')
  await writeFile(file, JSON.stringify(FLAGS))
  const providers: Record<Peer, Provider> = {
    canarykit: new CanaryProvider({ source: fileSource(file) }),
    flagd: new FlagdProvider({ resolverType: 'in-process', offlineFlagSourcePath: file }),
    'in-memory': IN_MEMORY,
    constant: CONSTANT,
  }
  try {
    for (const peer of PEERS) await OpenFeature.setProviderAndWait(peer, providers[peer])
    const ctxs = contexts(1000)

    // Correctness first: canarykit and flagd must agree on every context (the floor on static).
    for (const flag of CASES) {
      for (const ctx of ctxs) {
        const a = await OpenFeature.getClient('canarykit').getBooleanValue(flag, false, ctx)
        const b = await OpenFeature.getClient('flagd').getBooleanValue(flag, false, ctx)
        if (a !== b)
          throw new Error(`${flag}: canarykit ${a} vs flagd ${b} for ${JSON.stringify(ctx)}`)
      }
    }

    const entries: { flag: string; peer: Peer; via: 'sdk' | 'direct'; run: Run }[] = []
    for (const flag of CASES) {
      for (const peer of PEERS) {
        const client = OpenFeature.getClient(peer)
        const provider = providers[peer]
        entries.push({
          flag,
          peer,
          via: 'sdk',
          run: loop((ctx) => client.getBooleanValue(flag, false, ctx), ctxs),
        })
        entries.push({
          flag,
          peer,
          via: 'direct',
          run: loop(
            async (ctx) =>
              (await provider.resolveBooleanEvaluation(flag, false, ctx, console)).value,
            ctxs,
          ),
        })
      }
    }

    // Size each batch to ~batchMs, warming up on the way.
    const sizes: number[] = []
    for (const entry of entries) {
      let calls = 256
      for (;;) {
        const ns = await timeBatch(entry.run, calls)
        if (ns * calls > (options.batchMs * 1e6) / 4) {
          calls = Math.max(256, Math.round((options.batchMs * 1e6) / ns))
          break
        }
        calls *= 2
      }
      await timeBatch(entry.run, calls)
      sizes.push(calls)
      log(`  warmed ${entry.flag} / ${entry.peer} / ${entry.via}: ${calls} calls per batch`)
    }
    const samples = entries.map((): number[] => [])
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < entries.length; k++) {
        const i = (round + k) % entries.length
        ;(samples[i] as number[]).push(
          await timeBatch((entries[i] as (typeof entries)[number]).run, sizes[i] as number),
        )
      }
      log(`  round ${round + 1}/${options.rounds}`)
    }

    const at = (flag: string, peer: Peer, via: 'sdk' | 'direct'): number[] =>
      samples[
        entries.findIndex((e) => e.flag === flag && e.peer === peer && e.via === via)
      ] as number[]
    const r1 = (x: number): number => Math.round(x * 10) / 10
    const r2 = (x: number): number => Math.round(x * 100) / 100
    const cases = CASES.map((flag) => {
      const sdk = (peer: Peer): number => median(at(flag, peer, 'sdk'))
      const direct = (peer: Peer): number => median(at(flag, peer, 'direct'))
      const peers = (via: 'sdk' | 'direct') =>
        Object.fromEntries(
          PEERS.map((peer) => {
            const values = at(flag, peer, via)
            return [peer, { median_ns: r1(median(values)), min_ns: r1(Math.min(...values)) }]
          }),
        )
      return {
        name: flag,
        sdk: peers('sdk'),
        direct: peers('direct'),
        flagd_over_canarykit: r2(sdk('flagd') / sdk('canarykit')),
        canarykit_over_in_memory: r2(sdk('canarykit') / sdk('in-memory')),
        canarykit_over_sdk_only: r2(sdk('canarykit') / sdk('constant')),
        /** What the provider adds to the SDK's own cost (resolver minus a constant resolver). */
        canarykit_added_ns: r1(direct('canarykit') - direct('constant')),
        flagd_added_ns: r1(direct('flagd') - direct('constant')),
      }
    })
    const meta = {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      rounds: options.rounds,
      batchMs: options.batchMs,
      contexts: ctxs.length,
      sink,
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ cases, meta })}\n`)
    } else {
      console.log(
        '\nawait client.getBooleanValue(...) through @openfeature/server-sdk, median ns/op',
      )
      const row = (c: (typeof cases)[number], via: 'sdk' | 'direct') =>
        Object.fromEntries([
          ['case', c.name],
          ...PEERS.map((peer) => [peer, c[via][peer]?.median_ns]),
        ]) as Record<string, unknown>
      console.table(
        cases.map((c) => ({
          ...row(c, 'sdk'),
          'flagd ÷ canarykit': c.flagd_over_canarykit,
          'canarykit ÷ in-memory': c.canarykit_over_in_memory,
          'canarykit ÷ constant': c.canarykit_over_sdk_only,
        })),
      )
      console.log('\nthe resolver awaited directly, no SDK, median ns/op')
      console.table(
        cases.map((c) => ({
          ...row(c, 'direct'),
          'canarykit adds': c.canarykit_added_ns,
          'flagd adds': c.flagd_added_ns,
        })),
      )
      console.log(`${meta.cpu}, Node ${meta.node}`)
    }
  } finally {
    await OpenFeature.clearProviders()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
