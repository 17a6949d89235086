import type { FlagsIssue } from '../errors.js'
import { validateFlagsDocument, validateTargeting } from './validators.generated.js'

interface SchemaError {
  readonly instancePath: string
  readonly message?: string
  readonly params?: Record<string, unknown>
}

type GeneratedValidator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null }

/** The first violation of `flags.json` (flagd's schema, vendored), or `undefined`. */
export function checkFlagsDocument(document: unknown): FlagsIssue | undefined {
  return firstIssue(validateFlagsDocument as GeneratedValidator, document, '')
}

/** The first violation of `targeting.json`, located under `at`, or `undefined`. */
export function checkTargeting(rule: unknown, at: string): FlagsIssue | undefined {
  return firstIssue(validateTargeting as GeneratedValidator, rule, at)
}

/**
 * The error deepest in the document: with `anyOf` branches the schema reports every branch's
 * complaint, and the deepest one is the one about what the author actually wrote.
 */
function mostSpecific(errors: readonly SchemaError[]): SchemaError | undefined {
  let best: SchemaError | undefined
  for (const error of errors) {
    if (best === undefined || depth(error) > depth(best)) best = error
  }
  return best
}

const depth = (error: SchemaError): number => error.instancePath.split('/').length

function firstIssue(
  validate: GeneratedValidator,
  data: unknown,
  at: string,
): FlagsIssue | undefined {
  if (validate(data)) return undefined
  const error = mostSpecific(validate.errors ?? [])
  const extra = error?.params?.['additionalProperty']
  const detail = typeof extra === 'string' ? ` (${JSON.stringify(extra)})` : ''
  return {
    path: at + (error?.instancePath ?? ''),
    message: `does not match the flagd schema: ${error?.message ?? 'invalid'}${detail}`,
  }
}
