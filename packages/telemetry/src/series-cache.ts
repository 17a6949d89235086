/** The label value that stands for everything past a metric's series limit. */
export const OTHER = 'other'

/** Longer label values are folded too: configuration names are short, payloads are not. */
const MAX_LABEL_LENGTH = 128

type Level = Map<unknown, unknown>

/**
 * The label-value combinations of one metric, each created once and cached in nested maps (a
 * hit allocates nothing). Past `max` combinations every new one is folded into a single
 * all-`other` series, so a flood of unexpected values (a misbehaving evaluator, a hostile
 * OpenFeature provider) cannot grow the series count. `onFold` is called once, when folding
 * starts.
 */
export class SeriesCache<T> {
  private readonly root: Level = new Map()
  private size = 0
  private overflow: T | undefined

  constructor(
    private readonly max: number,
    private readonly create: (values: readonly string[]) => T,
    private readonly onFold: () => void,
  ) {}

  get1(a: string): T {
    return (this.root.get(a) as T | undefined) ?? this.miss([a])
  }

  get2(a: string, b: string): T {
    const found = (this.root.get(a) as Level | undefined)?.get(b) as T | undefined
    return found ?? this.miss([a, b])
  }

  get3(a: string, b: string, c: string): T {
    const level = (this.root.get(a) as Level | undefined)?.get(b) as Level | undefined
    return (level?.get(c) as T | undefined) ?? this.miss([a, b, c])
  }

  private miss(values: readonly string[]): T {
    if (this.size >= this.max) {
      if (this.overflow === undefined) {
        this.overflow = this.create(values.map(() => OTHER))
        this.onFold()
      }
      return this.overflow
    }
    const created = this.create(values.map(labelValue))
    let level = this.root
    for (let i = 0; i < values.length - 1; i++) {
      let next = level.get(values[i]) as Level | undefined
      if (next === undefined) {
        next = new Map()
        level.set(values[i], next)
      }
      level = next
    }
    level.set(values[values.length - 1], created)
    this.size++
    return created
  }
}

function labelValue(value: string): string {
  return typeof value === 'string' && value.length <= MAX_LABEL_LENGTH ? value : OTHER
}
