import { randomBytes } from 'node:crypto'
import { open, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/*
 * The two steps of an atomic replace that every canarykit writer shares: a fsynced temporary
 * file beside the target, and, after the rename, a fsync of the directory.
 */

/**
 * Writes `text` next to `file` (same directory, so the rename stays on one filesystem),
 * fsynced, with the original's permissions; returns the temporary path.
 *
 * @example
 * const temp = await writeTempFile('flags.json', text); await rename(temp, 'flags.json'); await syncDirectory('.')
 */
export async function writeTempFile(file: string, text: string): Promise<string> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const mode = (await stat(file).catch(() => undefined))?.mode
  const handle = await open(temp, 'wx')
  try {
    // Keep the original's permissions (the umask would otherwise decide).
    if (mode !== undefined) await handle.chmod(mode & 0o777)
    await handle.writeFile(text, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  return temp
}

/**
 * Makes a rename durable; some platforms cannot open directories, which is fine.
 *
 * @example
 * await syncDirectory(dirname('flags.json'))
 */
export async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Best effort (e.g. Windows): the rename has happened either way.
  }
}
