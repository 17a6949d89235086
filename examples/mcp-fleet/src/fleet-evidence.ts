import { FLAG } from './fleet-flags.js'
import type { ServedCall } from './traffic.js'

/** Calls each replica served in `[from, to]`, as the clients saw them. */
export function callsPerReplica(
  calls: readonly ServedCall[],
  replicas: number,
  from: number,
  to: number,
): number[] {
  const counts = Array.from({ length: replicas }, () => 0)
  for (const c of calls)
    if (c.at >= from && c.at <= to) counts[c.replica] = (counts[c.replica] ?? 0) + 1
  return counts
}

/** The time each replica last served the canary (0: never). */
export function lastCanaryAt(calls: readonly ServedCall[], replicas: number): number[] {
  const last = Array.from({ length: replicas }, () => 0)
  for (const c of calls)
    if (c.variant === 'canary') last[c.replica] = Math.max(last[c.replica] ?? 0, c.at)
  return last
}

/**
 * What Prometheus holds for the flag, per scrape target: the calls each replica counted in the
 * last `rangeS` seconds (`increase()`, so rounded and extrapolated).
 */
export async function promCallsPerInstance(
  prometheusUrl: string,
  rangeS: number,
): Promise<Record<string, number>> {
  const query = `sum by (instance) (increase(canarykit_tool_calls_total{flag="${FLAG}"}[${rangeS}s]))`
  const url = new URL('/api/v1/query', prometheusUrl)
  url.searchParams.set('query', query)
  const body = (await (await fetch(url)).json()) as {
    data?: { result?: { metric: Record<string, string>; value: [number, string] }[] }
  }
  const out: Record<string, number> = {}
  for (const s of body.data?.result ?? [])
    out[s.metric['instance'] ?? ''] = Math.round(Number(s.value[1]))
  return out
}
