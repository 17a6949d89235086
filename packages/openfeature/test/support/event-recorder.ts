import {
  ProviderEvents,
  type Client,
  type EventDetails,
  type OpenFeatureEventEmitter,
} from '@openfeature/server-sdk'

export interface Recorded {
  readonly type: ProviderEvents
  readonly details: EventDetails
}

const TYPES = [
  ProviderEvents.Ready,
  ProviderEvents.Error,
  ProviderEvents.Stale,
  ProviderEvents.ConfigurationChanged,
] as const

/**
 * Records provider events as a client (or a provider's own emitter) sees them. `mark()` before an
 * action, then `next(type, mark)` waits (at most `timeoutMs`) for the first such event after it.
 */
export function recordEvents(target: Client | OpenFeatureEventEmitter) {
  const events: Recorded[] = []
  const wake = new Set<() => void>()
  const handlers = TYPES.map((type) => {
    const handler = (details?: EventDetails): void => {
      events.push({ type, details: details ?? ({} as EventDetails) })
      for (const w of wake) w()
    }
    target.addHandler(type, handler)
    return [type, handler] as const
  })
  return {
    events,
    mark: (): number => events.length,
    /** Events of `type` recorded since `from`. */
    since: (type: ProviderEvents, from: number): Recorded[] =>
      events.slice(from).filter((e) => e.type === type),
    next(type: ProviderEvents, from: number, timeoutMs = 5000): Promise<Recorded> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = events.slice(from).find((e) => e.type === type)
          if (found === undefined) return
          clearTimeout(timer)
          wake.delete(check)
          resolve(found)
        }
        const timer = setTimeout(() => {
          wake.delete(check)
          const seen = events.slice(from).map((e) => e.type)
          reject(
            new Error(`no ${type} within ${timeoutMs} ms (saw: ${seen.join(', ') || 'nothing'})`),
          )
        }, timeoutMs)
        wake.add(check)
        check()
      })
    },
    stop(): void {
      for (const [type, handler] of handlers) target.removeHandler(type, handler)
    },
  }
}

export type EventRecorder = ReturnType<typeof recordEvents>

/** The `flagsChanged` of a CONFIGURATION_CHANGED event, sorted. */
export const changedFlags = (event: Recorded): string[] =>
  [...((event.details as { flagsChanged?: string[] }).flagsChanged ?? [])].sort()

/** Polls `condition` every 5 ms; rejects after `timeoutMs` (a bound, never an assertion). */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))
