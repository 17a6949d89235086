import { InvalidArgumentError } from 'commander'
import type { FlagValue } from '@canarykit/core'

/** A variant as given on the command line: `stable=v1`. */
export type VariantArg = readonly [name: string, value: FlagValue]

/**
 * Parses `NAME=VALUE`. VALUE is read as JSON when it is a number, boolean, JSON string or object
 * (`on=true`, `limit=10`, `cfg={"k":1}`), else taken as a plain string (`stable=v1`).
 */
export function variantOption(text: string): VariantArg {
  const at = text.indexOf('=')
  if (at <= 0) throw new InvalidArgumentError(`expected NAME=VALUE, got ${JSON.stringify(text)}`)
  const name = text.slice(0, at)
  const raw = text.slice(at + 1)
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return [name, raw]
  }
  if (value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      `a variant value must be a string, number, boolean or JSON object, got ${raw}`,
    )
  }
  return [name, value as FlagValue]
}

/** Parses a comma-separated list; repeating the option adds to it. Empty items are dropped. */
export function listOption(text: string, previous: readonly string[] = []): string[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list')
  return [...previous, ...items]
}

/** Parses a percentage of units, 0 to 100 (0.01 resolution, as flagd's weights are written). */
export function percentageOption(text: string): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw new InvalidArgumentError(`expected a number from 0 to 100, got ${JSON.stringify(text)}`)
  }
  return value
}
