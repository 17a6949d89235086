/** A variant a unit was served, and whether an override (the kill switch) chose it. */
export interface Served {
  readonly variant: string
  readonly overridden: boolean
}

/**
 * Remembers, per unit (targeting key), the variant last served for each flag: a least recently
 * used map of at most `maxUnits` units, each holding one entry per flag it was served. Memory is
 * bounded by `maxUnits` × the number of flags.
 *
 * @internal
 */
export class ServedVariants {
  readonly #maxUnits: number
  readonly #units = new Map<string, Map<string, Served>>()
  /** The most recently used unit: a repeat needs no reordering (the common case, a burst). */
  #lastUnit: string | undefined

  constructor(maxUnits: number) {
    this.#maxUnits = maxUnits
  }

  get size(): number {
    return this.#units.size
  }

  /** Records a serve; true when it is new or different for this (unit, flag). */
  remember(unitKey: string, flagKey: string, variant: string, overridden: boolean): boolean {
    let flags = this.#units.get(unitKey)
    if (flags === undefined) {
      flags = new Map()
      this.#units.set(unitKey, flags)
      if (this.#units.size > this.#maxUnits) {
        const oldest = this.#units.keys().next().value as string
        this.#units.delete(oldest)
      }
    } else if (this.#lastUnit !== unitKey) {
      this.#units.delete(unitKey)
      this.#units.set(unitKey, flags)
    }
    this.#lastUnit = unitKey
    const before = flags.get(flagKey)
    if (before !== undefined && before.variant === variant && before.overridden === overridden) {
      return false
    }
    flags.set(flagKey, { variant, overridden })
    return true
  }

  /** The flags a unit was served (flag key → serve), or undefined when it is not remembered. */
  lookup(unitKey: string): ReadonlyMap<string, Served> | undefined {
    return this.#units.get(unitKey)
  }
}
