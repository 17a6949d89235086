import { describe, expect, it } from 'vitest'
import { Random, runSeed } from './random.js'

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let sum = 0
  let squares = 0
  for (let i = 0; i < n; i++) {
    const x = draw()
    sum += x
    squares += x * x
  }
  const mean = sum / n
  return { mean, variance: squares / n - mean * mean }
}

describe('Random', () => {
  it('is deterministic per seed, and runs get distinct seeds', () => {
    const a = new Random(42)
    const b = new Random(42)
    const c = new Random(43)
    const first = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first)
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first)
    expect(new Set(Array.from({ length: 1000 }, (_, i) => runSeed(7, i))).size).toBe(1000)
    for (const x of first) expect(x >= 0 && x < 1).toBe(true)
  })

  it.each([
    [20, 0.01],
    [500, 0.02],
    [500, 0.5],
    [10_000, 0.3],
    [1000, 0.99],
  ])('draws Binomial(%i, %s) with the right mean and variance', (n, p) => {
    const random = new Random(n)
    const { mean, variance } = moments(() => random.binomial(n, p), 40_000)
    const sd = Math.sqrt(n * p * (1 - p))
    expect(Math.abs(mean - n * p)).toBeLessThan((5 * sd) / Math.sqrt(40_000) + 1e-9)
    expect(variance / (sd * sd)).toBeGreaterThan(0.95)
    expect(variance / (sd * sd)).toBeLessThan(1.05)
  })

  it.each([0.5, 5, 50, 5000])('draws Poisson(%s) with the right mean and variance', (lambda) => {
    const random = new Random(Math.round(lambda * 10))
    const { mean, variance } = moments(() => random.poisson(lambda), 40_000)
    expect(Math.abs(mean - lambda)).toBeLessThan((5 * Math.sqrt(lambda)) / Math.sqrt(40_000))
    expect(variance / lambda).toBeGreaterThan(0.95)
    expect(variance / lambda).toBeLessThan(1.05)
  })

  it('handles the edges', () => {
    const random = new Random(1)
    expect(random.binomial(0, 0.5)).toBe(0)
    expect(random.binomial(10, 0)).toBe(0)
    expect(random.binomial(10, 1)).toBe(10)
    expect(random.poisson(0)).toBe(0)
  })
})
