import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { InvalidArgumentError } from 'commander'
import type { EvaluationContext } from '@canarykit/core'
import { describeFsError } from '../flags/read-text-file.js'

/** One evaluation context, or why its line could not be used. `line` is 1-based. */
export type ContextItem =
  | { readonly line?: number; readonly context: EvaluationContext }
  | { readonly line: number; readonly error: string }

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Parses one context; returns a sentence instead of throwing. */
export function parseContext(text: string): EvaluationContext | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return `invalid JSON: ${error instanceof Error ? error.message : String(error)}`
  }
  if (isPlainObject(value)) return value
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
  return `a context must be a JSON object, got ${kind}`
}

/** Commander argument parser for `--context`: a bad value is a usage error (exit 2). */
export function contextOption(text: string): EvaluationContext {
  const parsed = parseContext(text)
  if (typeof parsed === 'string') throw new InvalidArgumentError(parsed)
  return parsed
}

/** Opens a JSONL file; an error is returned before any line is read, so no output is produced. */
export async function openJsonl(
  absolutePath: string,
): Promise<{ readonly items: AsyncIterable<ContextItem> } | { readonly error: string }> {
  const stream = createReadStream(absolutePath)
  try {
    await once(stream, 'ready')
  } catch (error) {
    stream.destroy()
    return { error: `cannot read: ${describeFsError(error)}` }
  }
  return { items: jsonlItems(createInterface({ input: stream, crlfDelay: Infinity })) }
}

/** One item per non-blank line; read errors (e.g. a directory) are thrown by the iteration. */
async function* jsonlItems(lines: AsyncIterable<string>): AsyncGenerator<ContextItem> {
  let line = 0
  for await (const raw of lines) {
    line++
    const text = line === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw
    if (text.trim() === '') continue
    const parsed = parseContext(text)
    yield typeof parsed === 'string' ? { line, error: parsed } : { line, context: parsed }
  }
}
