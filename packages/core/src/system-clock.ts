import type { Clock } from './types.js'

/**
 * The default clock, used only when the caller injects none and only by rules that read
 * `$flagd.timestamp`. The one ambient read in core.
 */
// eslint-disable-next-line no-restricted-properties -- the documented default for an injected clock
export const systemClock: Clock = () => Date.now()
