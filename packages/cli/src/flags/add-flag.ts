import { link, readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import {
  createEngine,
  FlagsError,
  isFlagsError,
  type FlagDefinition,
  type FlagsIssue,
} from '@canarykit/core'
import { syncDirectory, withWriteLock, writeTempFile } from '@canarykit/guard'
import { formatJson } from './format-json.js'
import { insertFlagText } from './insert-flag-text.js'
import { describeFsError } from './read-text-file.js'

/*
 * TEMPORARY thin equivalent of the guard's safe writer for a change that is not a rollout
 * (@canarykit/guard exports `updateRollout`, which edits rollouts only; its generic
 * `updateFlagsDocument` is internal). Same guarantees: validate with core before and after,
 * temporary file + fsync + rename, re-read before the rename and start over if the file changed,
 * never overwrite a file created meanwhile. Replace with the guard's writer once it is exported.
 */

/** What {@link addFlag} did. */
export type AddFlagOutcome =
  { readonly kind: 'created' | 'added'; readonly text: string } | { readonly kind: 'exists' }

const MAX_ATTEMPTS = 5
const SCHEMA = 'https://flagd.dev/schema/v0/flags.json'

/**
 * Adds a flag to a flags file, or creates the file with it. Throws `FlagsError`: 'INVALID_JSON' /
 * 'INVALID_CONFIG' (the file, or the result, does not load; nothing written),
 * 'SOURCE_UNAVAILABLE', 'WRITE_CONFLICT'.
 */
export async function addFlag(
  file: string,
  flagKey: string,
  definition: FlagDefinition,
): Promise<AddFlagOutcome> {
  // The same lock as the guard's writer, so a running guard and this command take turns.
  return withWriteLock(file, () => addFlagLocked(file, flagKey, definition))
}

async function addFlagLocked(
  file: string,
  flagKey: string,
  definition: FlagDefinition,
): Promise<AddFlagOutcome> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const text = await readIfExists(file)
    if (text === undefined) {
      const created = `${formatJson({ $schema: SCHEMA, flags: { [flagKey]: definition } })}\n`
      validate(created, file, flagKey, [])
      if (!(await createExclusive(file, created))) continue // someone created it: add to theirs
      await syncDirectory(dirname(file))
      return { kind: 'created', text: created }
    }
    const brokenBefore = validate(text, file, undefined, [])
    const document = JSON.parse(text.replace(/^\uFEFF/, '')) as { flags: Record<string, unknown> }
    if (Object.hasOwn(document.flags, flagKey)) return { kind: 'exists' }
    const next = insertFlagText(text, flagKey, definition)
    validate(next, file, flagKey, brokenBefore)
    const temp = await writeTempFile(file, next)
    try {
      if ((await readIfExists(file)) !== text) continue // changed meanwhile: start over
      await rename(temp, file)
    } finally {
      await unlink(temp).catch(() => undefined)
    }
    await syncDirectory(dirname(file))
    return { kind: 'added', text: next }
  }
  throw new FlagsError(
    'WRITE_CONFLICT',
    `the file changed under ${MAX_ATTEMPTS} consecutive write attempts; nothing was written`,
    { source: file },
  )
}

/**
 * Loads `text` with core (the checks serving does). Before an edit (`flagKey` undefined) it
 * returns the flags that are already broken; after one it refuses any newly broken flag.
 */
function validate(
  text: string,
  file: string,
  flagKey: string | undefined,
  brokenBefore: readonly FlagsIssue[],
): readonly FlagsIssue[] {
  let broken: readonly FlagsIssue[]
  try {
    broken = createEngine().load(text, { source: file }).brokenFlags
  } catch (error) {
    if (!isFlagsError(error)) throw error
    const code = error.code === 'INVALID_JSON' ? 'INVALID_JSON' : 'INVALID_CONFIG'
    const what = flagKey === undefined ? 'the flags file is invalid' : 'the result would be invalid'
    throw new FlagsError(code, what, { source: file, issues: error.issues, cause: error })
  }
  if (flagKey === undefined) return broken
  const newly = broken.filter((issue) => !brokenBefore.some((b) => b.path === issue.path))
  if (newly.length > 0) {
    throw new FlagsError('INVALID_CONFIG', 'the new flag would not compile', {
      source: file,
      issues: newly,
    })
  }
  return broken
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new FlagsError(
      'SOURCE_UNAVAILABLE',
      `cannot read the flags file: ${describeFsError(error)}`,
      {
        source: file,
        cause: error,
      },
    )
  }
}

/** Writes a new file atomically, failing (false) if one appeared meanwhile: link() never replaces. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const temp = await writeTempFile(file, text)
  try {
    await link(temp, file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await unlink(temp).catch(() => undefined)
  }
}
