import type { FlagsIssue } from '../errors.js'
import { RuleError, type RuleFn } from '../rules/compiled.js'
import { compileTargeting, escapePointer } from '../rules/compile-rule.js'
import type { GeneratedRule, RuleGenerator } from '../rules/codegen/code-generator.js'
import type { FlagMetadata, FlagValue, ResolvedValue } from '../types.js'
import type { FlagDefinition } from './flags-document.js'
import { METADATA_KEYS } from '../contracts.js'
import { resolveRefs } from './resolve-refs.js'
import { stableStringify } from './stable-stringify.js'

/** A variant with its three possible successful results, built once and shared (frozen). */
export interface CompiledVariant {
  readonly name: string
  readonly value: FlagValue
  readonly asStatic: ResolvedValue<FlagValue>
  readonly asMatch: ResolvedValue<FlagValue>
  readonly asDefault: ResolvedValue<FlagValue>
}

/** A flag ready to evaluate. */
export interface CompiledFlag {
  readonly key: string
  readonly disabled: boolean
  readonly variants: ReadonlyMap<string, CompiledVariant>
  readonly defaultVariant: CompiledVariant | undefined
  /** Absent for a static flag. */
  readonly rule: RuleFn | undefined
  /** With generated code: the rule, deciding literal outcomes itself (`evaluate`'s fast path). */
  readonly resolve: GeneratedRule['resolve'] | undefined
  /** Enabled and not broken: its rule (if any) decides. */
  readonly live: boolean
  /** Set when the targeting could not be compiled: every evaluation is `PARSE_ERROR`. */
  readonly brokenBecause: FlagsIssue | undefined
  readonly metadata: FlagMetadata
  /** Canonical text of everything that decides this flag's value (for change detection). */
  readonly fingerprint: string
}

export interface CompileFlagInput {
  readonly key: string
  readonly definition: FlagDefinition
  readonly evaluators: Readonly<Record<string, unknown>>
  readonly setMetadata: FlagMetadata
  readonly nowSeconds: () => number
  /** Generates one function for a targeting the closure compiler accepted (engine `codegen`). */
  readonly generate?: RuleGenerator | undefined
}

/** Compiles one validated flag; a targeting problem breaks only this flag. */
export function compileFlag(input: CompileFlagInput): CompiledFlag {
  const { key, definition } = input
  const metadata: FlagMetadata = Object.freeze({ ...input.setMetadata, ...definition.metadata })
  const variants = new Map<string, CompiledVariant>()
  for (const [name, raw] of Object.entries(definition.variants)) {
    variants.set(name, compileVariant(name, deepFreeze(raw), metadata))
  }
  const defaultName = definition.defaultVariant
  const defaultVariant =
    typeof defaultName === 'string' && defaultName !== '' ? variants.get(defaultName) : undefined

  const targetingPath = `/flags/${escapePointer(key)}/targeting`
  let resolved: unknown = definition.targeting
  let rule: RuleFn | undefined
  let resolve: GeneratedRule['resolve'] | undefined
  let brokenBecause: FlagsIssue | undefined
  const hasTargeting =
    definition.targeting !== undefined &&
    definition.targeting !== null &&
    Object.keys(definition.targeting).length > 0
  if (hasTargeting) {
    try {
      resolved = resolveRefs(definition.targeting, input.evaluators, targetingPath)
      const options = { flagKey: key, nowSeconds: input.nowSeconds, path: targetingPath }
      rule = compileTargeting(resolved, options)
      const generated = input.generate?.(resolved, options, { variants, defaultVariant })
      if (generated !== undefined) ({ rule, resolve } = generated)
    } catch (error) {
      if (!(error instanceof RuleError)) throw error
      brokenBecause = { flagKey: key, path: error.path, message: error.message }
    }
  }
  const fingerprint = stableStringify({ ...definition, targeting: resolved, metadata })
  return {
    key,
    disabled: definition.state === 'DISABLED',
    live: definition.state !== 'DISABLED' && brokenBecause === undefined,
    variants,
    defaultVariant,
    rule,
    resolve,
    brokenBecause,
    metadata,
    fingerprint,
  }
}

/**
 * The flag as an override serves it: static, on `variant` (`null`: the default variant), with
 * `canarykit.override` in its metadata. An unknown variant falls back to the default variant.
 */
export function forceVariant(flag: CompiledFlag, variant: string | null): CompiledFlag {
  const target = (variant === null ? undefined : flag.variants.get(variant)) ?? flag.defaultVariant
  const metadata: FlagMetadata = Object.freeze({
    ...flag.metadata,
    [METADATA_KEYS.override]: target?.name ?? '',
  })
  const forced =
    target === undefined ? undefined : compileVariant(target.name, target.value, metadata)
  return {
    ...flag,
    disabled: false,
    live: true,
    rule: undefined,
    resolve: undefined,
    brokenBecause: undefined,
    defaultVariant: forced,
    metadata,
  }
}

function compileVariant(name: string, value: FlagValue, metadata: FlagMetadata): CompiledVariant {
  const result = (reason: ResolvedValue<FlagValue>['reason']): ResolvedValue<FlagValue> =>
    Object.freeze({ value, variant: name, reason, flagMetadata: metadata })
  return {
    name,
    value,
    asStatic: result('STATIC'),
    asMatch: result('TARGETING_MATCH'),
    asDefault: result('DEFAULT'),
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
