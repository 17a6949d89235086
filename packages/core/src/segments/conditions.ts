import type { JsonObject } from '../types.js'

/** A JsonLogic condition (plain flagd targeting JSON) that is true for the units in a segment. */
export type Condition = JsonObject

/**
 * Units whose attribute is one of `values` (exact, case-sensitive).
 *
 * @example
 * attributeIn('plan', ['pro', 'enterprise']) // {"in": [{"var": "plan"}, ["pro", "enterprise"]]}
 */
export function attributeIn(attribute: string, values: readonly string[]): Condition {
  return { in: [{ var: attribute }, [...values]] }
}

/**
 * Units on one of the given tiers.
 *
 * @example
 * tier(['enterprise'])            // reads context.tier
 */
export function tier(tiers: readonly string[], attribute = 'tier'): Condition {
  return attributeIn(attribute, tiers)
}

/**
 * Units in one of the given regions.
 *
 * @example
 * region(['eu-west-1', 'eu-central-1'])
 */
export function region(regions: readonly string[], attribute = 'region'): Condition {
  return attributeIn(attribute, regions)
}

/**
 * Units that opted in: the attribute is exactly `true` (strict, so `"true"` or `1` never match
 * and never make the rule fail).
 *
 * @example
 * beta()                          // {"===": [{"var": "beta"}, true]}
 */
export function beta(attribute = 'beta'): Condition {
  return { '===': [{ var: attribute }, true] }
}

/** Options for {@link internal}. */
export interface InternalOptions {
  /** E-mail domains, without `@`, e.g. `['example.com']`. */
  readonly emailDomains?: readonly string[]
  /** Explicit ids, matched against `idAttribute`. */
  readonly ids?: readonly string[]
  readonly emailAttribute?: string
  readonly idAttribute?: string
}

/**
 * Internal users: an e-mail in one of the domains, or an id in the list.
 *
 * @example
 * internal({ emailDomains: ['example.com'], ids: ['user-1'] })
 */
export function internal(options: InternalOptions): Condition {
  const { emailDomains = [], ids = [], emailAttribute = 'email', idAttribute = 'userId' } = options
  const parts: Condition[] = emailDomains.map((domain) => ({
    ends_with: [{ var: emailAttribute }, `@${domain}`],
  }))
  if (ids.length > 0) parts.push(attributeIn(idAttribute, ids))
  if (parts.length === 0) return { '===': [true, false] }
  return parts.length === 1 ? (parts[0] as Condition) : { or: parts }
}
