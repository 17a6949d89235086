/* Number formatting for decision reasons: short, unit-bearing, stable across runs. */

/** 0.0123 → "1.23 %". */
export function percent(rate: number): string {
  if (!Number.isFinite(rate)) return 'n/a'
  return `${hundredths(rate * 100)} %`
}

/** 0.0052 → "+0.52 pp" (a difference of rates in percentage points). */
export function points(difference: number): string {
  if (!Number.isFinite(difference)) return 'n/a'
  return `${difference >= 0 ? '+' : ''}${hundredths(difference * 100)} pp`
}

/** Two decimals, like toFixed(2) but without its cost (the judge formats on every check). */
function hundredths(value: number): string {
  const scaled = Math.round(Math.abs(value) * 100)
  const fraction = scaled % 100
  const sign = value < 0 && scaled > 0 ? '-' : ''
  return `${sign}${(scaled - fraction) / 100}.${fraction < 10 ? '0' : ''}${fraction}`
}

/** 412.3 → "412 ms"; 3.21 → "3.2 ms". */
export function millis(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a'
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toPrecision(2)} ms`
}

/** 252 → "4m12s"; 40 → "40s"; 7200 → "2h0m". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`
}

/** Plural noun: 1 session, 2 sessions. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
