/**
 * Runs canarykit and `@openfeature/flagd-core` side by side on one document and reports where
 * they disagree, after setting aside the deliberate divergences listed in
 * docs/flagd-compatibility.md that the generator cannot avoid.
 */
import { createRequire } from 'node:module'
import { isDeepStrictEqual } from 'node:util'
import { FlagdCore } from '@openfeature/flagd-core'
import type { Logger as OpenFeatureLogger } from '@openfeature/core'
import { createEngine, type Engine } from '../../src/index.js'
import { compileTargeting } from '../../src/rules/compile-rule.js'
import { resolveRefs } from '../../src/load/resolve-refs.js'
import { textOf } from '../../src/rules/data-path.js'
import { EXTENSION_OPERATORS, type Json, type JsonRecord } from './flag-documents.js'

/** What both engines report, reduced to the fields that must match. */
export interface Outcome {
  readonly value: unknown
  readonly variant: string | undefined
  readonly reason: string
  readonly errorCode: string | undefined
  readonly flagMetadata: unknown
}

export type RequestedType = 'boolean' | 'string' | 'number' | 'object'

export const DEFAULTS: Readonly<Record<RequestedType, boolean | string | number | JsonRecord>> = {
  boolean: false,
  string: 'code-default',
  number: -7,
  object: { code: 'default' },
}

/**
 * Divergences the comparison tolerates, each pinned by a test in divergences.test.ts:
 * - `extension-operator`: json-logic-engine's extra operators are PARSE_ERROR for canarykit;
 * - `unresolved-ref`: a `$ref` to a missing evaluator is PARSE_ERROR for canarykit wherever it is;
 *   flagd-core misses it in arguments json-logic-engine never compiles (the second argument of
 *   `!`, an `if` whose argument is not a list, ...);
 * - `structured-result`: a rule yielding an array/object is GENERAL for canarykit, while flagd-core
 *   looks up the variant named by its `toString()` (e.g. `["a"]` selects variant `a`);
 * - `engine-accident`: json-logic-engine's interpreter (constant sub-rules, the arguments of a
 *   one- or two-argument `if`) and two flaws of its generated code (a shared temporary in
 *   comparisons, missing parentheses) give results canarykit does not reproduce (rows 14-17 of
 *   the doc's table). Accepted only when canarykit matches flagd-core with those accidents taken
 *   out (see {@link loadCompiledOnly}).
 */
export type Divergence =
  'extension-operator' | 'unresolved-ref' | 'structured-result' | 'engine-accident'

export const silentLogger: OpenFeatureLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}

/** Both engines loaded with the same document (flagd-core's clock must be faked to `nowMs`). */
export interface EnginePair {
  readonly ours: Engine
  readonly core: FlagdCore
}

/** The json-logic-engine class flagd-core itself uses (its CommonJS build). */
const requireFromCore = createRequire(
  createRequire(import.meta.url).resolve('@openfeature/flagd-core'),
)
interface LogicEngineInstance {
  disableInline: boolean
  fallback?: { run: (logic: unknown, data?: unknown) => unknown }
}
type Build = (
  this: LogicEngineInstance,
  logic: unknown,
  options?: unknown,
) => (data: unknown) => unknown
type CompileHook = (data: unknown, buildState: unknown) => unknown
const { LogicEngine, Compiler, defaultMethods } = requireFromCore('json-logic-engine') as {
  LogicEngine: { prototype: { build: Build } }
  Compiler: { buildString: (logic: unknown, buildState: unknown) => string }
  defaultMethods: Record<string, { compile?: CompileHook | undefined }>
}
const COMPARISONS = ['==', '===', '!=', '!==', '<', '<=', '>', '>='] as const
/** Operators whose generated code is a bare `a ? b : c` chain (no parentheses around it). */
const UNPARENTHESISED = ['and', 'or', 'all', 'missing', 'missing_some', '/'] as const
const COMPILED = Symbol.for('json_logic_compiled')

/**
 * `cat` inside a folded (constant) rule keeps the interpreter's semantics (nulls skipped), which
 * canarykit mirrors: while folding, the oracle compiles with inlining off, and then `cat` falls
 * back to its method.
 */
function catFoldedByInterpreter(compile: CompileHook): CompileHook {
  return (data, buildState) =>
    (buildState as { engine: LogicEngineInstance }).engine.disableInline
      ? false
      : compile(data, buildState)
}

/** The operator's generated code in parentheses, so that it binds as one operand. */
function parenthesised(compile: CompileHook): CompileHook {
  return (data, buildState) => {
    const code = compile(data, buildState)
    if (typeof code === 'string') return `(${code})`
    if (code !== null && typeof code === 'object' && COMPILED in code) {
      return { [COMPILED]: `(${String((code as Record<symbol, unknown>)[COMPILED])})` }
    }
    return code
  }
}

/**
 * json-logic-engine's comparison code without its shared temporary: the generated code keeps the
 * left operand in `prev`, which a computed right operand (a `var`, say) overwrites before
 * `compareCheck` looks at it. Here each comparison keeps its operands in its own closure.
 */
function comparisonWithOwnTemporary(operator: string): CompileHook {
  const strict = operator.length === 3
  return (data, buildState) => {
    if (!Array.isArray(data) || data.length < 2) return false
    const [first, ...rest] = data.map((item) => Compiler.buildString(item, buildState))
    const steps = rest.map((item) => `(p ${operator} (p = compareCheck(${item}, p, ${strict})))`)
    return `((p) => ${steps.join(' && ')})(${first})`
  }
}

/**
 * flagd-core without json-logic-engine's accidents, i.e. the semantics canarykit implements: one-
 * and two-argument `if`s are written in their equivalent three-argument form (a missing else is
 * `null`), which it compiles instead of interpreting; constant sub-rules are folded by running
 * their compiled code instead of the interpreter; comparisons do not share a temporary; generated
 * `a ? b : c` chains are parenthesised.
 */
export function loadCompiledOnly(document: JsonRecord): FlagdCore {
  const core = new FlagdCore(undefined, silentLogger)
  const { build } = LogicEngine.prototype
  const patched = [...COMPARISONS, ...UNPARENTHESISED, 'cat']
  const compiles = patched.map((operator) => [operator, defaultMethods[operator]?.compile] as const)
  for (const [operator, compile] of compiles) {
    const method = defaultMethods[operator]
    if (method === undefined || compile === undefined) continue
    if (operator === 'cat') method.compile = catFoldedByInterpreter(compile)
    else if ((COMPARISONS as readonly string[]).includes(operator)) {
      method.compile = comparisonWithOwnTemporary(operator)
    } else method.compile = parenthesised(compile)
  }
  LogicEngine.prototype.build = function (logic, options) {
    this.fallback = {
      run: (constant, data = {}) => {
        const inline = this.disableInline
        this.disableInline = true
        try {
          return build.call(this, constant)(data)
        } finally {
          this.disableInline = inline
        }
      },
    }
    return build.call(this, logic, options)
  }
  try {
    core.setConfigurations(JSON.stringify(withThreeArgumentIfs(document)))
  } finally {
    LogicEngine.prototype.build = build
    for (const [operator, compile] of compiles) {
      const method = defaultMethods[operator]
      if (method !== undefined) method.compile = compile
    }
  }
  return core
}

function withThreeArgumentIfs(value: Json): Json {
  if (Array.isArray(value)) return value.map(withThreeArgumentIfs)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value).map(([key, child]): [string, Json] => {
    const rewritten = withThreeArgumentIfs(child)
    if (key !== 'if' || !Array.isArray(rewritten)) return [key, rewritten]
    if (rewritten.length === 1) return [key, [true, rewritten[0] as Json, null]]
    if (rewritten.length === 2) return [key, [...rewritten, null]]
    return [key, rewritten]
  })
  return Object.fromEntries(entries)
}

export function loadBoth(document: JsonRecord, nowMs: number): EnginePair {
  const json = JSON.stringify(document)
  const ours = createEngine({ clock: () => nowMs })
  ours.load(json)
  const core = new FlagdCore(undefined, silentLogger)
  core.setConfigurations(json)
  return { ours, core }
}

function outcome(result: {
  value?: unknown
  variant?: string | undefined
  reason?: string | undefined
  errorCode?: string | undefined
  flagMetadata?: unknown
}): Outcome {
  return {
    value: result.value,
    variant: result.variant,
    reason: String(result.reason),
    errorCode: result.errorCode,
    flagMetadata: result.flagMetadata,
  }
}

export function evaluateOurs(
  pair: EnginePair,
  flagKey: string,
  type: RequestedType,
  context: JsonRecord,
): Outcome {
  return outcome(pair.ours.evaluate(flagKey, DEFAULTS[type] as never, context))
}

/** flagd-core's result. It can throw itself (`{"throw": [null]}`): reported as reason `THROWN`. */
export function evaluateCore(
  pair: EnginePair,
  flagKey: string,
  type: RequestedType,
  context: JsonRecord,
): Outcome {
  try {
    return outcome(pair.core.resolve(type, flagKey, DEFAULTS[type] as never, context, silentLogger))
  } catch (error) {
    return {
      value: undefined,
      variant: undefined,
      reason: 'THROWN',
      errorCode: String(error),
      flagMetadata: undefined,
    }
  }
}

/** True when an operator key of json-logic-engine's extensions appears anywhere in the rule. */
export function usesExtensionOperator(rule: unknown): boolean {
  if (Array.isArray(rule)) return rule.some(usesExtensionOperator)
  if (rule === null || typeof rule !== 'object') return false
  return Object.entries(rule).some(
    ([key, value]) =>
      (EXTENSION_OPERATORS as readonly string[]).includes(key) || usesExtensionOperator(value),
  )
}

/** True when the rule holds `{"$ref": name}` for a name that is not in `$evaluators`. */
export function refersToMissing(
  rule: unknown,
  evaluators: Readonly<Record<string, unknown>>,
): boolean {
  if (Array.isArray(rule)) return rule.some((item) => refersToMissing(item, evaluators))
  if (rule === null || typeof rule !== 'object') return false
  const name = (rule as Record<string, unknown>)['$ref']
  if (typeof name === 'string' && Object.keys(rule).length === 1)
    return !Object.hasOwn(evaluators, name)
  return Object.values(rule).some((value) => refersToMissing(value, evaluators))
}

/** canarykit's raw targeting result (before the variant lookup), or `undefined` if it throws. */
export function rawResult(
  document: JsonRecord,
  flagKey: string,
  context: JsonRecord,
  nowMs: number,
): unknown {
  const flag = (document['flags'] as Record<string, JsonRecord>)[flagKey]
  const evaluators = (document['$evaluators'] ?? {}) as Record<string, unknown>
  try {
    const resolved = resolveRefs(flag?.['targeting'], evaluators, '')
    const rule = compileTargeting(resolved, {
      flagKey,
      nowSeconds: () => Math.floor(nowMs / 1000),
      path: '',
    })
    return rule(context, context)
  } catch {
    return undefined
  }
}

/** Which tolerated divergence explains a disagreement on this flag, if any. */
export function classify(
  document: JsonRecord,
  flagKey: string,
  type: RequestedType,
  context: JsonRecord,
  ours: Outcome,
  nowMs: number,
  compiledOnly: () => FlagdCore,
): Divergence | undefined {
  const flag = (document['flags'] as Record<string, JsonRecord | undefined>)[flagKey]
  if (flag === undefined || flag['state'] === 'DISABLED') return undefined
  const evaluators = (document['$evaluators'] ?? {}) as Record<string, Json>
  const refersTo = JSON.stringify(flag['targeting'] ?? null)
  const reachable = Object.entries(evaluators).filter(([name]) =>
    refersTo.includes(`{"$ref":"${name}"}`),
  )
  const extension =
    usesExtensionOperator(flag['targeting']) ||
    reachable.some(([, rule]) => usesExtensionOperator(rule))
  if (extension && ours.errorCode === 'PARSE_ERROR') return 'extension-operator'
  const unresolved = [flag['targeting'], ...reachable.map(([, rule]) => rule)].some((rule) =>
    refersToMissing(rule, evaluators),
  )
  if (unresolved && ours.errorCode === 'PARSE_ERROR') return 'unresolved-ref'
  if (ours.errorCode === 'GENERAL') {
    const raw = rawResult(document, flagKey, context, nowMs)
    const variants = flag['variants'] as JsonRecord
    if (raw !== null && typeof raw === 'object' && Object.hasOwn(variants, textOf(raw)))
      return 'structured-result'
  }
  const compiled = compiledOnly().resolve(
    type,
    flagKey,
    DEFAULTS[type] as never,
    context,
    silentLogger,
  )
  if (isDeepStrictEqual(ours, outcome(compiled))) return 'engine-accident'
  return undefined
}

/** One disagreement, with everything needed to reproduce it. */
export interface Mismatch {
  readonly flagKey: string
  readonly type: RequestedType | 'bulk'
  readonly context: JsonRecord
  readonly ours: unknown
  readonly core: unknown
}

export const REQUESTED_TYPES: readonly RequestedType[] = ['boolean', 'string', 'number', 'object']
const UNKNOWN_FLAG = 'no-such-flag'

/** Single-flag and bulk outcome counts, to show the generator reaches every outcome. */
export type Tally = Map<string, number>

/**
 * Compares every flag (plus one unknown key) for every context and requested type, and the bulk
 * evaluation (canarykit's also lists disabled and failed flags: "Bulk evaluation").
 */
export function compareDocument(
  document: JsonRecord,
  contexts: readonly JsonRecord[],
  nowMs: number,
  tally?: Tally,
): Mismatch[] {
  const pair = loadBoth(document, nowMs)
  let compiled: FlagdCore | undefined
  const compiledOnly = (): FlagdCore => (compiled ??= loadCompiledOnly(document))
  const mismatches: Mismatch[] = []
  const flagKeys = [...Object.keys(document['flags'] as JsonRecord), UNKNOWN_FLAG]
  for (const context of contexts) {
    const tolerated = new Set<string>()
    for (const flagKey of flagKeys) {
      for (const type of flagKey === UNKNOWN_FLAG ? REQUESTED_TYPES.slice(0, 1) : REQUESTED_TYPES) {
        const ours = evaluateOurs(pair, flagKey, type, context)
        const core = evaluateCore(pair, flagKey, type, context)
        const key = ours.errorCode === undefined ? ours.reason : `ERROR/${ours.errorCode}`
        tally?.set(key, (tally.get(key) ?? 0) + 1)
        if (isDeepStrictEqual(ours, core)) continue
        const divergence = classify(document, flagKey, type, context, ours, nowMs, compiledOnly)
        if (divergence !== undefined) {
          tolerated.add(flagKey)
          tally?.set(divergence, (tally.get(divergence) ?? 0) + 1)
          continue
        }
        mismatches.push({ flagKey, type, context, ours, core })
      }
    }
    const bulkOurs = pair.ours
      .evaluateAll(context)
      .filter((r) => r.reason !== 'DISABLED' && r.value !== undefined && !tolerated.has(r.flagKey))
      .map((r) => ({ flagKey: r.flagKey, ...outcome(r) }))
    const bulkCore = resolveAllCore(pair, context)
      .filter((r) => !tolerated.has(r.flagKey))
      .map((r) => ({ flagKey: r.flagKey, ...outcome(r) }))
    if (!isDeepStrictEqual(bulkOurs, bulkCore)) {
      mismatches.push({ flagKey: '*', type: 'bulk', context, ours: bulkOurs, core: bulkCore })
    }
  }
  return mismatches
}

function resolveAllCore(
  pair: EnginePair,
  context: JsonRecord,
): ReturnType<FlagdCore['resolveAll']> {
  try {
    return pair.core.resolveAll(context, silentLogger)
  } catch {
    return []
  }
}

/** The failure text fast-check prints with the shrunk counterexample. */
export function describeMismatches(document: JsonRecord, mismatches: readonly Mismatch[]): string {
  const shown = mismatches
    .slice(0, 3)
    .map((m) =>
      [
        `flag ${JSON.stringify(m.flagKey)} as ${m.type}`,
        `  context:    ${JSON.stringify(m.context)}`,
        `  canarykit:  ${JSON.stringify(m.ours)}`,
        `  flagd-core: ${JSON.stringify(m.core)}`,
      ].join('\n'),
    )
  const more = mismatches.length > 3 ? `\n(and ${mismatches.length - 3} more)` : ''
  const head = `canarykit and flagd-core disagree\ndocument: ${JSON.stringify(document)}`
  return `${head}\n${shown.join('\n')}${more}`
}
