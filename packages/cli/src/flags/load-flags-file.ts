import { resolve } from 'node:path'
import {
  createEngine,
  isFlagsError,
  type Engine,
  type FlagsIssue,
  type LoadResult,
} from '@canarykit/core'
import { readTextFile } from './read-text-file.js'

/** One flags file after reading and loading it, as every command sees it. */
export type FlagsFileOutcome =
  | { readonly kind: 'unreadable'; readonly file: string; readonly message: string }
  | { readonly kind: 'invalid'; readonly file: string; readonly errors: readonly FlagsIssue[] }
  | {
      readonly kind: 'loaded'
      readonly file: string
      readonly engine: Engine
      readonly result: LoadResult
    }

/** Reads `file` (relative to `cwd`) into a fresh engine. Never throws. */
export async function loadFlagsFile(file: string, cwd: string): Promise<FlagsFileOutcome> {
  const read = await readTextFile(resolve(cwd, file))
  if ('error' in read) return { kind: 'unreadable', file, message: read.error }
  const engine = createEngine()
  try {
    const result = engine.load(read.text, { source: file })
    return { kind: 'loaded', file, engine, result }
  } catch (error) {
    return { kind: 'invalid', file, errors: issuesOf(error) }
  }
}

function issuesOf(error: unknown): readonly FlagsIssue[] {
  if (isFlagsError(error) && error.issues.length > 0) return error.issues
  // A FlagsError without issues, or a bug in core: still one error line, not a crash.
  const message = error instanceof Error ? error.message : String(error)
  return [{ path: '', message }]
}

/** Flags whose targeting is a non-empty rule (flagd treats `{}` as no targeting). */
export function countTargeted(engine: Engine): number {
  let count = 0
  for (const key of engine.flagKeys()) {
    const targeting = engine.flagDefinition(key)?.targeting
    if (targeting !== undefined && Object.keys(targeting).length > 0) count++
  }
  return count
}
