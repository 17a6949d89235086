import { RuleError } from '../rules/compiled.js'
import { escapePointer, MAX_RULE_DEPTH } from '../rules/compile-rule.js'

/** `{"$ref": "name"}` and nothing else. */
function refName(node: unknown): string | undefined {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined
  const keys = Object.keys(node)
  const name = (node as Record<string, unknown>)['$ref']
  return keys.length === 1 && typeof name === 'string' ? name : undefined
}

/**
 * Replaces every `{"$ref": "name"}` in a rule with `$evaluators.name`, structurally (flagd
 * substitutes text, which is order-dependent for nested refs; here nesting just works and a
 * cycle is an error). An unknown name is left in place, so the flag fails with `PARSE_ERROR`.
 */
export function resolveRefs(
  rule: unknown,
  evaluators: Readonly<Record<string, unknown>>,
  path: string,
): unknown {
  const walk = (node: unknown, at: string, depth: number, active: readonly string[]): unknown => {
    if (depth > MAX_RULE_DEPTH * 4) throw new RuleError('rule nested too deeply', at)
    const name = refName(node)
    if (name !== undefined) {
      if (!Object.hasOwn(evaluators, name))
        throw new RuleError(`$ref to unknown evaluator ${JSON.stringify(name)}`, at)
      if (active.includes(name))
        throw new RuleError(`cyclic $ref: ${[...active, name].join(' -> ')}`, at)
      return walk(evaluators[name], `/$evaluators/${escapePointer(name)}`, depth + 1, [
        ...active,
        name,
      ])
    }
    if (Array.isArray(node))
      return node.map((item, index) => walk(item, `${at}/${index}`, depth + 1, active))
    if (node === null || typeof node !== 'object') return node
    const resolved: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(node)) {
      Object.defineProperty(resolved, key, {
        value: walk(value, `${at}/${escapePointer(key)}`, depth + 1, active),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return resolved
  }
  return walk(rule, path, 0, [])
}
