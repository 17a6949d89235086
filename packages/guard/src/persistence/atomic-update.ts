import { readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { createEngine, FlagsError, isFlagsError, type FlagsIssue } from '@canarykit/core'
import { spliceJson, type SpliceMode } from './json-splice.js'
import { withWriteLock } from './write-lock.js'
import { syncDirectory, writeTempFile } from './atomic-file.js'

/**
 * Test seams around a write; production code passes none.
 *
 * @example
 * await updateRollout(file, key, mutate, { hooks: { beforeRename: () => simulateHumanEdit() } })
 */
export interface WriteHooks {
  /** Runs after the new content is in the temporary file, before the final re-read and rename. */
  readonly beforeRename?: (tempFile: string) => void | Promise<void>
}

/**
 * Options for {@link updateFlagsDocument}.
 *
 * @example
 * await updateRollout('flags.json', 'new-search', mutate, { maxAttempts: 10 })
 */
export interface UpdateOptions {
  /** Attempts when the file keeps changing under the write. Default 5. */
  readonly maxAttempts?: number
  readonly hooks?: WriteHooks
  /** @internal Remembers validation results by content (the guard re-reads an unchanged file). */
  readonly cache?: ValidationCache
}

/**
 * Core's verdict on recently seen file contents, so a file that did not change is not compiled
 * again on every check (loading a 200-flag file takes milliseconds of CPU).
 *
 * @internal
 */
export interface ValidationCache {
  readonly verdicts: Map<
    string,
    { readonly broken: readonly FlagsIssue[] } | { readonly error: unknown }
  >
}

/**
 * A small validation cache (a few entries; the oldest is dropped).
 *
 * @internal
 */
export function createValidationCache(): ValidationCache {
  return { verdicts: new Map() }
}

const CACHE_ENTRIES = 4

/** Edits the parsed document in place and returns a result, or `undefined` to leave the file as it is. */
export type DocumentEdit<R> = (
  document: Record<string, unknown>,
) => { readonly result: R } | undefined

/** The outcome of {@link updateFlagsDocument}. */
export interface UpdateResult<R> {
  readonly result: R | undefined
  /** `unchanged` when nothing was written. `reformat` means the whole file was re-serialised. */
  readonly mode: SpliceMode
  /** Attempts used (more than one: the file changed under the write and the edit was re-applied). */
  readonly attempts: number
  /** The file's content afterwards (as written, or as read when nothing changed). */
  readonly text: string
}

/**
 * Edits a flags file safely: read → validate (core) → apply `edit` to a copy → splice only the
 * changed values into the text → validate the result → write a temporary file in the same
 * directory, fsync → re-read the file and, if someone changed it meanwhile, start over from the
 * new content (so a concurrent human edit is never lost) → rename over the original (atomic on
 * POSIX). Refuses to touch a file that does not load ('INVALID_JSON'/'INVALID_CONFIG'), refuses to
 * write a document core would reject ('INVALID_CONFIG'), and gives up with 'WRITE_CONFLICT' after
 * `maxAttempts` changed re-reads.
 *
 * @internal
 */
export async function updateFlagsDocument<R>(
  file: string,
  edit: DocumentEdit<R>,
  options: UpdateOptions = {},
): Promise<UpdateResult<R>> {
  return withWriteLock(file, () => updateLocked(file, edit, options))
}

async function updateLocked<R>(
  file: string,
  edit: DocumentEdit<R>,
  options: UpdateOptions,
): Promise<UpdateResult<R>> {
  const maxAttempts = options.maxAttempts ?? 5
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const text = await readText(file)
    const brokenBefore = validate(text, file, 'refusing to edit it', options.cache)
    const document = parseDocument(text)
    const edited = edit(document)
    if (edited === undefined)
      return { result: undefined, mode: 'unchanged', attempts: attempt, text }
    const next = spliceJson(text, document)
    if (next.mode === 'unchanged') {
      return { result: edited.result, mode: 'unchanged', attempts: attempt, text }
    }
    const brokenAfter = validate(
      next.text,
      file,
      'refusing to write an edit that would make it invalid',
      options.cache,
    )
    const newlyBroken = brokenAfter.filter(
      (issue) => !brokenBefore.some((b) => b.path === issue.path),
    )
    if (newlyBroken.length > 0) {
      throw new FlagsError('INVALID_CONFIG', 'refusing to write an edit that breaks a flag', {
        source: file,
        issues: newlyBroken,
      })
    }
    const temp = await writeTempFile(file, next.text)
    try {
      await options.hooks?.beforeRename?.(temp)
      if ((await readText(file)) !== text) continue // changed meanwhile: re-apply to the new content
      await rename(temp, file)
    } finally {
      await unlink(temp).catch(() => undefined) // gone after a rename; removed after a conflict
    }
    await syncDirectory(dirname(file))
    return { result: edited.result, mode: next.mode, attempts: attempt, text: next.text }
  }
  throw new FlagsError(
    'WRITE_CONFLICT',
    `the file changed under ${maxAttempts} consecutive write attempts; nothing was written`,
    { source: file },
  )
}

/**
 * Reads a flags file and checks it loads, returning the parsed document.
 *
 * @internal
 */
export async function readFlagsDocument(
  file: string,
  cache?: ValidationCache,
): Promise<Record<string, unknown>> {
  const text = await readText(file)
  validate(text, file, 'cannot read it', cache)
  return parseDocument(text)
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new FlagsError('SOURCE_UNAVAILABLE', `cannot read the flags file: ${describe(error)}`, {
      source: file,
      cause: error,
    })
  }
}

/** Loads the text with core (the same checks serving does); returns the flags that would not compile. */
function validate(
  text: string,
  file: string,
  consequence: string,
  cache: ValidationCache | undefined,
): readonly FlagsIssue[] {
  let verdict = cache?.verdicts.get(text)
  if (verdict === undefined) {
    try {
      verdict = { broken: createEngine().load(text, { source: file }).brokenFlags }
    } catch (error) {
      verdict = { error }
    }
    if (cache !== undefined) {
      cache.verdicts.set(text, verdict)
      const [oldest] = cache.verdicts.keys()
      if (cache.verdicts.size > CACHE_ENTRIES && oldest !== undefined) cache.verdicts.delete(oldest)
    }
  }
  if ('broken' in verdict) return verdict.broken
  const { error } = verdict
  if (!isFlagsError(error)) throw error
  const code = error.code === 'INVALID_JSON' ? 'INVALID_JSON' : 'INVALID_CONFIG'
  throw new FlagsError(code, `the flags file is invalid, ${consequence}`, {
    source: file,
    issues: error.issues,
    cause: error,
  })
}

function parseDocument(text: string): Record<string, unknown> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  return JSON.parse(body) as Record<string, unknown>
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES') return 'permission denied'
  return error instanceof Error ? error.message : String(error)
}
