import { open, stat, unlink } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { FlagsError } from '@canarykit/core'

/** Options for {@link withWriteLock}. */
export interface WriteLockOptions {
  /** Give up (`WRITE_CONFLICT`) after waiting this long for another writer. Default 10 s. */
  readonly timeoutMs?: number
  /** A lock older than this was left by a crashed writer and is broken. Default 30 s. */
  readonly staleMs?: number
}

/**
 * Runs `work` while holding `<file>.lock` (created with O_EXCL, so it works across processes:
 * the guard, the CLI and a second guard on the same file). Without it two writers can both pass
 * the "file unchanged?" check and the second rename silently drops the first edit. Human editors
 * do not take the lock; the writer's re-read before the rename protects their edits.
 *
 * @example
 * await withWriteLock('flags.json', async () => rewrite('flags.json'))
 */
export async function withWriteLock<T>(
  file: string,
  work: () => Promise<T>,
  options: WriteLockOptions = {},
): Promise<T> {
  const lock = `${file}.lock`
  const timeoutMs = options.timeoutMs ?? 10_000
  const staleMs = options.staleMs ?? 30_000
  const started = Date.now()
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    try {
      const handle = await open(lock, 'wx')
      await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`)
      await handle.close()
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new FlagsError('WRITE_CONFLICT', `cannot create the write lock ${lock}`, {
          source: file,
          cause: error,
        })
      }
      const age = await stat(lock).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      )
      if (age > staleMs) {
        await unlink(lock).catch(() => undefined)
        continue
      }
      if (Date.now() - started > timeoutMs) {
        throw new FlagsError(
          'WRITE_CONFLICT',
          `another writer holds ${lock}; nothing was written`,
          { source: file },
        )
      }
      await sleep(delay + Math.random() * delay)
    }
  }
  try {
    return await work()
  } finally {
    await unlink(lock).catch(() => undefined)
  }
}
