import { startFleet, type Fleet } from './fleet.js'
import { lastCanaryAt } from './fleet-evidence.js'
import { FLAG, FLEET_PLAN, rolloutOf, startRollout } from './fleet-flags.js'
import type { CanaryBehaviour } from './search-tool.js'
import { probe } from './traffic.js'
import { sleep, waitFor } from './wait.js'

export interface FleetDemoResult {
  readonly completed: boolean
  readonly rolledBack: boolean
  readonly seconds: number
}

interface Release {
  readonly title: string
  readonly canary: CanaryBehaviour
  readonly expected: 'completed' | 'rolled-back'
}

const RELEASES: readonly Release[] = [
  { title: 'a healthy canary (v2 as good as v1)', canary: 'healthy', expected: 'completed' },
  { title: 'a bad canary (v2 fails 2 calls in 5)', canary: 'failing', expected: 'rolled-back' },
]

/** How long one rollout may take before the demo gives up on it. */
const ROLLOUT_DEADLINE_MS = 40_000

/**
 * The fleet harness once, narrated: for each release a fresh fleet (3 replicas, Prometheus, the
 * standalone guard, MCP clients), the rollout from the guard's point of view, the alerts the
 * webhook received, and what every replica serves at the end.
 */
export async function runFleetDemo(say: (line: string) => void): Promise<FleetDemoResult> {
  const began = Date.now()
  const stamp = (): string => `${((Date.now() - began) / 1000).toFixed(1).padStart(5)} s`
  const outcomes: string[] = []
  for (const [i, release] of RELEASES.entries()) {
    say('')
    say(`release #${i + 1}: ${release.title}`)
    say(`${stamp()}  starting 3 replicas, Prometheus, the guard and 12 MCP clients …`)
    const fleet = await startFleet({ canary: release.canary })
    try {
      outcomes.push(await runRelease(fleet, release, (line) => say(`${stamp()}  ${line}`)))
    } finally {
      await fleet.close()
    }
  }
  const completed = outcomes[0] === 'completed'
  const rolledBack = outcomes[1] === 'rolled-back'
  const seconds = (Date.now() - began) / 1000
  say('')
  say(`${completed ? '✓' : '✗'} the healthy canary completed at 100 % on every replica`)
  say(`${rolledBack ? '✓' : '✗'} the bad canary was rolled back on every replica`)
  say(`${seconds.toFixed(1)} s in all; every process stopped, temporary files removed`)
  return { completed, rolledBack, seconds }
}

async function runRelease(
  fleet: Fleet,
  release: Release,
  say: (line: string) => void,
): Promise<string> {
  for (const r of fleet.replicas) say(`${r.name}: MCP server ${r.url} (pid ${r.child.pid})`)
  say(`Prometheus ${fleet.prometheus.url}, scraping every replica every 1 s`)
  say(`canarykit guard ${fleet.flagsFile} --prometheus ${fleet.prometheus.url} --interval 1s`)
  await waitFor('traffic on every replica', () => fleet.traffic.calls.length > 100, 15_000)
  const stages = FLEET_PLAN.stages.map((s) => `${s.percentage} %`).join(' → ')
  const startedAt = Date.now()
  await startRollout(fleet.flagsFile, 'demo')
  say(`rollout of ${FLAG} started in the flags file: ${stages}`)

  const guard = fleet.guard()
  let printed = guard.stdout().length
  let alerts = 0
  let phase = 'running'
  while (phase === 'running' && Date.now() < startedAt + ROLLOUT_DEADLINE_MS) {
    await sleep(250)
    const text = guard.stdout()
    const complete = text.lastIndexOf('\n') + 1
    for (const line of text.slice(printed, complete).split('\n')) {
      // `2026-…Z  search-v2  hold  holding at 10 %: …`: the decision and its reason.
      const [, kind, reason] = /^\S+ {2}\S+ {2}(\w+) {2}(.*)$/.exec(line) ?? []
      if (kind !== undefined) say(`guard: ${kind.padEnd(8)} ${(reason ?? '').slice(0, 110)}`)
    }
    printed = Math.max(printed, complete)
    for (const message of fleet.webhook.received.slice(alerts)) {
      say(`webhook: ${message.text.slice(0, 120)}`)
    }
    alerts = fleet.webhook.received.length
    phase = (await rolloutOf(fleet.flagsFile))?.phase ?? phase
  }
  say(`flags file: ${phase} after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`)
  await sleep(1000) // every replica's hot reload, and a few more calls
  for (const r of fleet.replicas) {
    const variants = await Promise.all([1, 2, 3, 4].map(() => probe(r.url, 1)))
    say(`${r.name}: 4 new sessions got ${variants.flat().join(', ')}`)
  }
  if (phase === 'rolled-back') {
    const firstBad = fleet.traffic.calls.find((c) => c.at >= startedAt && c.variant === 'canary')
    const last = Math.max(...lastCanaryAt(fleet.traffic.calls, fleet.replicas.length))
    if (firstBad !== undefined) {
      say(
        `the last canary call was served ${((last - firstBad.at) / 1000).toFixed(1)} s after the first`,
      )
    }
  }
  return phase === release.expected ? phase : `unexpected: ${phase}`
}
