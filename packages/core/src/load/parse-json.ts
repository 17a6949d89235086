import { FlagsError } from '../errors.js'

/**
 * `JSON.parse` with an error that names the source and the line and column (an empty or
 * half-written file is the usual cause).
 */
export function parseJson(input: string, source: string | undefined): unknown {
  // Editors on some platforms write a byte-order mark; JSON.parse refuses it.
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
  if (text.trim() === '') {
    throw new FlagsError('INVALID_JSON', 'invalid JSON', {
      source,
      issues: [{ path: '', message: 'the document is empty' }],
    })
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    const position = /position (\d+)/.exec(detail)
    const where =
      position === null || /line \d+/.test(detail)
        ? ''
        : ` (${lineAndColumn(text, Number(position[1]))})`
    throw new FlagsError('INVALID_JSON', 'invalid JSON', {
      source,
      issues: [{ path: '', message: `invalid JSON: ${detail}${where}` }],
      cause: error,
    })
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  return `line ${line} column ${column}`
}
