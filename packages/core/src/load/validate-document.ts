import { FlagsError, type FlagsIssue } from '../errors.js'
import { escapePointer } from '../rules/compile-rule.js'
import { checkFlagsDocument, checkTargeting } from '../schema/schema-validators.js'
import type { FlagsDocument } from './flags-document.js'

const flagTypes = ['boolean', 'string', 'number', 'object'] as const

/** The JSON type of a variant value, or `undefined` for values flagd does not allow. */
export function variantType(value: unknown): (typeof flagTypes)[number] | undefined {
  if (value === null || Array.isArray(value)) return undefined
  const type = typeof value
  return (flagTypes as readonly string[]).includes(type)
    ? (type as (typeof flagTypes)[number])
    : undefined
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * Checks a parsed document. Structural problems (anything that would make a flag's value
 * undefined) reject the whole document with every issue listed; schema problems inside
 * `targeting` and `$evaluators` are returned as warnings, because flagd tolerates them and its
 * conformance suite relies on that.
 */
export function validateDocument(
  document: unknown,
  source: string | undefined,
): { warnings: FlagsIssue[] } {
  const issues = structuralIssues(document)
  if (issues.length === 0) {
    // The official schema as a safety net for whatever the checks above do not name.
    const schemaIssue = checkFlagsDocument(withoutRules(document as FlagsDocument))
    if (schemaIssue !== undefined) issues.push(schemaIssue)
  }
  if (issues.length > 0)
    throw new FlagsError('INVALID_CONFIG', 'invalid flags document', { source, issues })
  return { warnings: ruleWarnings(document as FlagsDocument) }
}

/** Deeper documents are refused before any recursive step (schema check, freeze, compile) runs. */
export const MAX_DOCUMENT_DEPTH = 256

/** The first place nested deeper than {@link MAX_DOCUMENT_DEPTH}, found without recursion. */
function tooDeep(document: unknown): FlagsIssue | undefined {
  const stack: [unknown, number, string][] = [[document, 0, '']]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth, path] = next
    if (node === null || typeof node !== 'object') continue
    if (depth >= MAX_DOCUMENT_DEPTH) {
      const flagKey = /^\/flags\/([^/]+)/.exec(path)?.[1]
      const located =
        flagKey === undefined ? {} : { flagKey: flagKey.replace(/~1/g, '/').replace(/~0/g, '~') }
      return { ...located, path, message: `nested deeper than ${MAX_DOCUMENT_DEPTH} levels` }
    }
    for (const [key, child] of Object.entries(node))
      stack.push([child, depth + 1, `${path}/${escapePointer(key)}`])
  }
  return undefined
}

function structuralIssues(document: unknown): FlagsIssue[] {
  const issues: FlagsIssue[] = []
  if (!isObject(document)) return [{ path: '', message: 'a flags document must be a JSON object' }]
  const deep = tooDeep(document)
  if (deep !== undefined) return [deep]
  const { flags } = document
  if (Array.isArray(flags)) {
    issues.push({
      path: '/flags',
      message: 'must be an object keyed by flag key (the array form is only for the flagd daemon)',
    })
  } else if (!isObject(flags)) {
    issues.push({
      path: '/flags',
      message: flags === undefined ? 'is required' : 'must be an object keyed by flag key',
    })
  } else {
    for (const [key, flag] of Object.entries(flags)) issues.push(...flagIssues(key, flag))
  }
  issues.push(...metadataIssues(document['metadata'], '/metadata', undefined))
  const evaluators = document['$evaluators']
  if (evaluators !== undefined && !isObject(evaluators)) {
    issues.push({ path: '/$evaluators', message: 'must be an object of named rules' })
  }
  return issues
}

function flagIssues(flagKey: string, flag: unknown): FlagsIssue[] {
  const at = `/flags/${escapePointer(flagKey)}`
  const issue = (path: string, message: string): FlagsIssue => ({
    flagKey,
    path: at + path,
    message,
  })
  if (flagKey === '') return [issue('', 'a flag key must not be empty')]
  if (!isObject(flag)) return [issue('', 'a flag must be an object')]
  const issues: FlagsIssue[] = []
  const { state, variants, defaultVariant, targeting } = flag
  if (state !== 'ENABLED' && state !== 'DISABLED') {
    issues.push(
      issue('/state', `must be "ENABLED" or "DISABLED", got ${JSON.stringify(state) ?? 'nothing'}`),
    )
  }
  if (!isObject(variants) || Object.keys(variants).length === 0) {
    issues.push(issue('/variants', 'must be an object with at least one variant'))
  } else {
    const types = new Map<string, string>()
    for (const [name, value] of Object.entries(variants)) {
      const type = variantType(value)
      if (name === '') issues.push(issue('/variants', 'a variant name must not be empty'))
      else if (type === undefined) {
        issues.push(
          issue(
            `/variants/${escapePointer(name)}`,
            `must be a boolean, string, number or object, got ${describe(value)}`,
          ),
        )
      } else types.set(name, type)
    }
    if (new Set(types.values()).size > 1) {
      const listed = [...types].map(([name, type]) => `${name}: ${type}`).join(', ')
      issues.push(issue('/variants', `all variants of a flag must have one type, found ${listed}`))
    }
    if (
      typeof defaultVariant === 'string' &&
      defaultVariant !== '' &&
      !Object.hasOwn(variants, defaultVariant)
    ) {
      const names = Object.keys(variants)
        .map((name) => JSON.stringify(name))
        .join(', ')
      issues.push(
        issue(
          '/defaultVariant',
          `${JSON.stringify(defaultVariant)} is not a variant (variants: ${names})`,
        ),
      )
    }
  }
  if (
    defaultVariant !== undefined &&
    defaultVariant !== null &&
    typeof defaultVariant !== 'string'
  ) {
    issues.push(
      issue('/defaultVariant', `must be a variant name or null, got ${describe(defaultVariant)}`),
    )
  }
  if (targeting !== undefined && targeting !== null && !isObject(targeting)) {
    issues.push(issue('/targeting', `must be a JsonLogic rule object, got ${describe(targeting)}`))
  }
  issues.push(...metadataIssues(flag['metadata'], `${at}/metadata`, flagKey))
  return issues
}

function metadataIssues(metadata: unknown, at: string, flagKey: string | undefined): FlagsIssue[] {
  if (metadata === undefined) return []
  const base = flagKey === undefined ? {} : { flagKey }
  if (!isObject(metadata)) return [{ ...base, path: at, message: 'must be an object' }]
  return Object.entries(metadata)
    .filter(([, value]) => !['string', 'number', 'boolean'].includes(typeof value))
    .map(([name, value]) => ({
      ...base,
      path: `${at}/${escapePointer(name)}`,
      message: `metadata must be flat (string, number or boolean), got ${describe(value)}`,
    }))
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`
}

/** The document with rules blanked, so the schema net only judges structure. */
function withoutRules(document: FlagsDocument): unknown {
  const flags = Object.fromEntries(
    Object.entries(document.flags).map(([key, flag]) => [
      key,
      flag.targeting === undefined ? flag : { ...flag, targeting: {} },
    ]),
  )
  const { $evaluators: _evaluators, ...rest } = document
  return { ...rest, flags }
}

function ruleWarnings(document: FlagsDocument): FlagsIssue[] {
  const warnings: FlagsIssue[] = []
  for (const [flagKey, flag] of Object.entries(document.flags)) {
    if (flag.targeting === undefined || flag.targeting === null) continue
    const issue = checkTargeting(flag.targeting, `/flags/${escapePointer(flagKey)}/targeting`)
    if (issue !== undefined) warnings.push({ ...issue, flagKey })
  }
  for (const [name, rule] of Object.entries(document.$evaluators ?? {})) {
    const issue = checkTargeting(rule, `/$evaluators/${escapePointer(name)}`)
    if (issue !== undefined) warnings.push(issue)
  }
  return warnings
}
