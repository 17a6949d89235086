import { readFile } from 'node:fs/promises'

export type ReadOutcome = { readonly text: string } | { readonly error: string }

/** Reads a UTF-8 file; failures become a sentence for the operator instead of a stack trace. */
export async function readTextFile(absolutePath: string): Promise<ReadOutcome> {
  try {
    const text = await readFile(absolutePath, 'utf8')
    // Editors on Windows may add a byte-order mark, which JSON.parse rejects.
    return { text: text.startsWith('\uFEFF') ? text.slice(1) : text }
  } catch (error) {
    return { error: `cannot read: ${describeFsError(error)}` }
  }
}

const FS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a parent of the path is not a directory',
}

/** `no such file or directory` rather than `ENOENT: no such file or directory, open '/abs/path'`. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code
  const known = code === undefined ? undefined : FS_ERRORS[code]
  if (known !== undefined) return known
  return error instanceof Error ? error.message : String(error)
}
