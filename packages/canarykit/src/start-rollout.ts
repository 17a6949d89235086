import { FlagsError, type Engine } from '@canarykit/core'
import type { Criteria, Plan, RolloutGuard, RolloutStatus, StartOptions } from '@canarykit/guard'
import type { RolloutOptions } from './canary-options.js'

/** What `canary.tool` learned about a flag: its baseline and implemented variants. */
export interface KnownRoute {
  readonly baseline: string
  readonly variants: readonly string[]
}

interface RolloutContext {
  readonly guard: RolloutGuard
  readonly engine: Engine
  readonly routes: ReadonlyMap<string, KnownRoute>
  readonly plan: Plan | undefined
  readonly criteria: Criteria | undefined
}

/**
 * `canary.rollout()`: returns the recorded rollout of `flagKey` when the file has one (so a
 * restarted server never restarts a rolled-back or completed release), else starts one with the
 * variants inferred from the route or the flag.
 *
 * @internal
 */
export async function startRollout(
  context: RolloutContext,
  flagKey: string,
  options: RolloutOptions,
): Promise<RolloutStatus> {
  const { guard } = context
  const recorded = (await guard.status()).find((s) => s.flagKey === flagKey)
  if (recorded !== undefined) return recorded
  const { baseline, canary } = variantsOf(context, flagKey, options)
  const plan = options.plan ?? context.plan
  const criteria = options.criteria ?? context.criteria
  const start: StartOptions = {
    baseline,
    canary,
    actor: options.actor ?? 'canarykit',
    reason: options.reason ?? `release of ${canary}`,
    ...(plan === undefined ? {} : { plan }),
    ...(criteria === undefined ? {} : { criteria }),
  }
  return guard.start(flagKey, start)
}

function variantsOf(
  { engine, routes }: RolloutContext,
  flagKey: string,
  options: RolloutOptions,
): { baseline: string; canary: string } {
  const route = routes.get(flagKey)
  const definition = engine.flagDefinition(flagKey)
  if (definition === undefined) {
    throw new FlagsError(
      'INVALID_ARGUMENT',
      `cannot roll out ${JSON.stringify(flagKey)}: the flags file has no such flag`,
    )
  }
  const declared = definition.defaultVariant
  const baseline =
    options.baseline ?? route?.baseline ?? (typeof declared === 'string' ? declared : undefined)
  if (baseline === undefined) {
    throw new FlagsError(
      'INVALID_ARGUMENT',
      `cannot roll out ${JSON.stringify(flagKey)}: name the baseline (rollout(flag, { baseline }))`,
    )
  }
  const candidates = (route?.variants ?? Object.keys(definition.variants)).filter(
    (v) => v !== baseline,
  )
  const canary = options.canary ?? (candidates.length === 1 ? candidates[0] : undefined)
  if (canary === undefined) {
    throw new FlagsError(
      'INVALID_ARGUMENT',
      `cannot roll out ${JSON.stringify(flagKey)}: name the canary among ${candidates.map((v) => JSON.stringify(v)).join(', ')} (rollout(flag, { canary }))`,
    )
  }
  return { baseline, canary }
}
