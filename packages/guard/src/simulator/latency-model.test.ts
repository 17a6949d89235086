import { describe, expect, it } from 'vitest'
import { LatencySketch } from '../metrics/latency-sketch.js'
import { LatencyModel, normalCdf } from './latency-model.js'
import { Random } from './random.js'

describe('LatencyModel', () => {
  it.each([
    [120, 400],
    [120, 600],
    [5, 5000],
    [80, 80],
  ])('draws a log-normal through p50 %s ms and p99 %s ms', (p50, p99) => {
    const sketch = new LatencySketch()
    const model = new LatencyModel(p50, p99, Math.log(sketch.gamma))
    const drawn = {
      histogram: new Int32Array(1 << model.table.bits),
      low: Infinity,
      high: -Infinity,
    }
    new Random(p99).drawAlias(model.table, 400_000, drawn)
    const histogram = drawn.histogram
    expect(drawn.high).toBeLessThan(model.size)
    // Every draw lands on a real bucket of the model, none on the table's padding.
    expect(histogram.slice(model.size).every((n) => n === 0)).toBe(true)
    sketch.addCounts(model.firstIndex, histogram)
    expect(sketch.count).toBe(400_000)
    expect(sketch.quantile(0.5) / p50).toBeCloseTo(1, 1)
    expect(sketch.quantile(0.99) / p99).toBeCloseTo(1, 1)
  })

  it('computes the normal CDF', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7)
    expect(normalCdf(2.326347874)).toBeCloseTo(0.99, 6)
    expect(normalCdf(-1.959964)).toBeCloseTo(0.025, 6)
  })
})
