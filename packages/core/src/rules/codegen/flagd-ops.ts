import type { SemVer } from 'semver'
import { murmur3Prefix } from '../../hash/murmur3.js'
import { toDistribution } from '../fractional.js'
import { compareVersions, parseVersion } from '../sem-ver.js'
import { constantExpr, literalCode, type Emitter, type Expr } from './emitter.js'
import type { OperatorEmitter, Walker } from './generate-rule.js'
import { versionParser } from '../sem-ver.js'

/** Longer bucket lists are left to the closure (a chain of conditionals per bucket). */
const MAX_BUCKETS = 64
/** Below this total, `hash × total` stays under 2^53 (fractional.ts and bucket.ts). */
const EXACT_TOTAL = 2097152

/**
 * flagd's `fractional` (fractional.ts) in its two hot forms: literal buckets bucketed by flag key
 * + targeting key (the rollout shorthand), and literal buckets after a computed bucketing value.
 * The flag key's hash state is computed once; buckets are validated at load, as there.
 */
export const emitFractional: OperatorEmitter = (args, walker, depth, path, deciding) => {
  const { emitter, options } = walker
  // A flag key ending inside a surrogate pair is hashed whole by the closure: left to it.
  if (!Array.isArray(args) || args.length > MAX_BUCKETS + 1) return undefined
  if (/[\ud800-\udbff]$/.test(options.flagKey)) return undefined
  const compiled = args.map((arg, index) => walker.compiled(arg, depth, `${path}/${index}`))
  const values = compiled.map((node) => node.value)
  const flagKeyState = murmur3Prefix(options.flagKey)
  if (compiled.every((node) => node.isConstant)) {
    const buckets = toDistribution(values)
    if (buckets === null || typeof values[0] === 'string') return undefined
    const t = emitter.temp()
    const hash = `${emitter.helper('murmur3Resume')}(${emitter.value(flagKeyState)}, ${t})`
    const chosen = choose(walker, buckets, hash, deciding)
    const none = outcome(walker, constantExpr(emitter, null), deciding)
    return result(
      `(typeof (${t} = root.targetingKey) !== "string" || ${t} === "" ? ${none.code} : ${chosen.code})`,
      deciding,
    )
  }
  const [first, ...rest] = compiled
  if (first === undefined || first.isConstant || !rest.every((node) => node.isConstant)) {
    return undefined
  }
  const restValues = values.slice(1)
  const buckets = toDistribution(restValues)
  const by = walker.expr(args[0], depth, `${path}/0`)
  const t = emitter.temp()
  const chosen =
    buckets === null
      ? outcome(walker, constantExpr(emitter, null), deciding)
      : choose(walker, buckets, `${emitter.helper('murmur3')}(${t})`, deciding)
  const other = outcome(
    walker,
    {
      code: `${emitter.helper('fractionalOther')}(${t}, ${emitter.value(restValues)}, root, ${emitter.value(flagKeyState)})`,
      kind: 'primitive',
    },
    deciding,
  )
  return result(
    `(typeof (${t} = ${by.code}) === "string" ? ${chosen.code} : ${other.code})`,
    deciding,
  )
}

/** A variant or null, or (`deciding`) a decision. */
function result(code: string, deciding: boolean): Expr {
  // Buckets hold only strings, numbers, booleans and null (toDistribution).
  return deciding ? { code, kind: 'any', decided: true } : { code, kind: 'primitive' }
}

/** A result of `fractional`: as is, or at an outcome position as a decision. */
function outcome(walker: Walker, expr: Expr, deciding: boolean): Expr {
  return deciding ? walker.decide(expr) : expr
}

interface Buckets {
  readonly variants: readonly unknown[]
  readonly cumulative: readonly number[]
  readonly total: number
}

/** The variant whose cumulative weight first exceeds `floor(hash × total / 2^32)`, else null. */
function choose(walker: Walker, buckets: Buckets, hash: string, deciding: boolean): Expr {
  const { emitter } = walker
  const { variants, cumulative, total } = buckets
  const outcomes = [...variants, null].map((variant) =>
    outcome(walker, constantExpr(emitter, variant), deciding),
  )
  if (cumulative.length === 0) return outcomes[0] as Expr
  // Exact below 2^21 (see bucket.ts); the product is below 2^21, so `| 0` is `Math.floor`.
  const bucket =
    total < EXACT_TOTAL
      ? `((${hash} * ${literalCode(total / 4294967296) as string}) | 0)`
      : `${emitter.helper('bucketOf')}(${hash}, ${literalCode(total) as string})`
  const b = emitter.temp()
  let code = (outcomes.at(-1) as Expr).code
  for (let i = cumulative.length - 1; i >= 0; i--) {
    const bound = literalCode(cumulative[i]) as string
    const test = i === 0 ? `(${b} = ${bucket}) < ${bound}` : `${b} < ${bound}`
    code = `${test} ? ${(outcomes[i] as Expr).code} : ${code}`
  }
  return result(`(${code})`, deciding)
}

const precedenceTests: Readonly<Record<string, string>> = {
  '=': '=== 0',
  '!=': '!== 0',
  '<': '< 0',
  '<=': '<= 0',
  '>': '> 0',
  '>=': '>= 0',
}

/**
 * `{"sem_ver": [version, "op", "x.y.z"]}` with a literal operator and version (sem-ver.ts): the
 * right side is parsed at load and the comparison written out for it.
 */
export const emitSemVer: OperatorEmitter = (args, walker, depth, path) => {
  if (
    !Array.isArray(args) ||
    args.length !== 3 ||
    typeof args[1] !== 'string' ||
    typeof args[2] !== 'string'
  ) {
    return undefined
  }
  const { emitter } = walker
  const operator = args[1]
  const right = parseVersion(args[2])
  const left = walker.expr(args[0], depth, `${path}/0`)
  if (right === null || compareVersions(right, operator, right) === null) {
    return { code: `(${left.code}, null)`, kind: 'primitive' }
  }
  const t = emitter.temp()
  const parse = emitter.value(versionParser())
  return {
    code: `((${t} = ${parse}(${left.code})) === null ? null : ${versionTest(emitter, t, operator, right)})`,
    kind: 'primitive',
  }
}

/** `compareVersions(t, operator, right)` with `right` known (sem-ver.ts `precedence`). */
function versionTest(emitter: Emitter, t: string, operator: string, right: SemVer): string {
  const major = literalCode(right.major) as string
  const minor = literalCode(right.minor) as string
  if (operator === '^') return `(${t}.major === ${major})`
  if (operator === '~') return `(${t}.major === ${major} && ${t}.minor === ${minor})`
  const patch = literalCode(right.patch) as string
  const comparePre = `${t}.comparePre(${emitter.value(right)})`
  const pre =
    right.prerelease.length === 0
      ? `(${t}.prerelease.length === 0 ? 0 : ${comparePre})`
      : comparePre
  const precedence = `(${t}.major - ${major} || ${t}.minor - ${minor} || ${t}.patch - ${patch} || ${pre})`
  return `(${precedence} ${precedenceTests[operator] as string})`
}

/** flagd's `starts_with` / `ends_with` with two arguments: two strings, else `null`. */
export function emitStringComparison(which: 'starts_with' | 'ends_with'): OperatorEmitter {
  const method = which === 'starts_with' ? 'startsWith' : 'endsWith'
  return (args, walker, depth, path) => {
    if (!Array.isArray(args) || args.length !== 2) return undefined
    const { emitter } = walker
    const text = walker.expr(args[0], depth, `${path}/0`)
    const affix = walker.expr(args[1], depth, `${path}/1`)
    const a = emitter.temp()
    const b = emitter.temp()
    return {
      code: `((${a} = ${text.code}), (${b} = ${affix.code}), typeof ${a} === "string" && typeof ${b} === "string" ? ${a}.${method}(${b}) : null)`,
      kind: 'primitive',
    }
  }
}
