import { randomUUID } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'

/** Who holds the guard's lease, and until when (ms since the epoch). */
export interface LeaseHolder {
  readonly owner: string
  readonly expiresAt: number
}

/**
 * A lease file with expiry, so only one of several `canarykit guard` processes writes the flags
 * file: the holder renews it every check; a standby takes it over once it has expired (the holder
 * crashed or hangs). Not a consensus protocol: two standbys racing for an expired lease are
 * settled by the last rename and a re-read, which is enough for a handful of guards on one volume.
 */
export interface GuardLease {
  readonly owner: string
  /** Takes or renews the lease; answers who holds it afterwards. */
  acquire(now: number): Promise<LeaseHolder | undefined>
  /** Removes the lease file if this process holds it. */
  release(): Promise<void>
}

export function createGuardLease(file: string, ttlMs: number): GuardLease {
  const owner = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`

  const read = async (): Promise<LeaseHolder | undefined> => {
    try {
      const json = JSON.parse(await readFile(file, 'utf8')) as Partial<LeaseHolder>
      if (typeof json.owner !== 'string' || typeof json.expiresAt !== 'number') return undefined
      return { owner: json.owner, expiresAt: json.expiresAt }
    } catch {
      return undefined // missing or torn: free to take
    }
  }

  return {
    owner,
    async acquire(now) {
      const current = await read()
      if (current !== undefined && current.owner !== owner && current.expiresAt > now) {
        return current
      }
      // Write aside and rename: readers never see a half-written lease.
      const temp = `${file}.${randomUUID().slice(0, 8)}.tmp`
      await writeFile(temp, JSON.stringify({ owner, expiresAt: now + ttlMs }))
      await rename(temp, file)
      return read()
    },
    async release() {
      if ((await read())?.owner === owner) await rm(file, { force: true })
    },
  }
}
