import type { RuleFn } from './compiled.js'

type Slow = (value: unknown) => unknown

/**
 * `{"<op>": [{"var": name}, literal]}` as one closure: the attribute is read inline, and when it
 * has the literal's primitive type the comparison needs no JsonLogic coercion, so it is done
 * directly; anything else goes to `slow` (the general semantics). One closure per operator keeps
 * each comparison monomorphic for V8.
 */
export function fusedComparison(
  operator: string,
  name: string,
  literal: string | number | boolean,
  slow: Slow,
): RuleFn | undefined {
  const type = typeof literal
  const read = (data: unknown): unknown =>
    data === null || data === undefined ? undefined : (data as Record<string, unknown>)[name]
  const settle = (value: unknown): unknown =>
    value === undefined || value === null || typeof value === 'function' ? null : value
  switch (operator) {
    case '==':
    case '===':
      return (data) => {
        const value = read(data)
        return typeof value === type && value === value ? value === literal : slow(settle(value))
      }
    case '!=':
    case '!==':
      return (data) => {
        const value = read(data)
        return typeof value === type && value === value ? value !== literal : slow(settle(value))
      }
    case '<':
      return (data) => {
        const value = read(data)
        return typeof value === type && value === value
          ? (value as number) < (literal as number)
          : slow(settle(value))
      }
    case '<=':
      return (data) => {
        const value = read(data)
        return typeof value === type && value === value
          ? (value as number) <= (literal as number)
          : slow(settle(value))
      }
    case '>':
      return (data) => {
        const value = read(data)
        return typeof value === type && value === value
          ? (value as number) > (literal as number)
          : slow(settle(value))
      }
    case '>=':
      return (data) => {
        const value = read(data)
        return typeof value === type && value === value
          ? (value as number) >= (literal as number)
          : slow(settle(value))
      }
    default:
      return undefined
  }
}

/** `{"in": [{"var": name}, [literal list]]}` as one closure (Set membership = SameValueZero). */
export function fusedMembership(name: string, members: ReadonlySet<unknown>): RuleFn {
  return (data) => {
    const value =
      data === null || data === undefined ? undefined : (data as Record<string, unknown>)[name]
    return members.has(value === undefined || typeof value === 'function' ? null : value)
  }
}
