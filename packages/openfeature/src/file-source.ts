import { watch, type FSWatcher } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { FlagsError } from '@canarykit/core'
import { createContentHasher, type ContentHasher } from './content-hasher.js'
import type { FlagSource, FlagSourceListener } from './flag-source.js'

/**
 * Options for {@link fileSource}.
 *
 * @example
 * const options: FileSourceOptions = { debounceMs: 50, pollIntervalMs: 5000 }
 */
export interface FileSourceOptions {
  /** Quiet time after the last change notice before the file is read. Default 100 ms. */
  readonly debounceMs?: number
  /**
   * Interval of the fallback `stat` poll, for filesystems where `fs.watch` misses changes
   * (network mounts, some container volumes). Default 2000 ms.
   */
  readonly pollIntervalMs?: number
}

/**
 * What a running file source holds, for leak checks: zero watchers and timers once stopped.
 *
 * @example
 * await OpenFeature.close()
 * assert.equal(source.activity.watchers + source.activity.timers, 0)
 */
export interface FileSourceActivity {
  readonly watchers: number
  readonly timers: number
  readonly reading: boolean
  /** Reads of the file since the source was created (initial reads included). */
  readonly reads: number
}

/**
 * A flags file on disk, watched for changes. See {@link fileSource}.
 *
 * @example
 * const source: FileSource = fileSource('flags.json')
 * console.log(source.path, source.activity.reads)
 */
export interface FileSource extends FlagSource {
  readonly path: string
  readonly activity: FileSourceActivity
}

/** A burst of notices may push the read back by at most this many debounce periods. */
const MAX_DEFER_PERIODS = 10

/** One start…stop cycle; a restarted source gets a fresh session, so late callbacks are inert. */
interface Session {
  readonly listener: FlagSourceListener
  hash: ContentHasher
  stopped: boolean
  watcher?: FSWatcher | undefined
  watchedDir?: number | undefined
  poll?: NodeJS.Timeout | undefined
  polling: boolean
  debounce?: NodeJS.Timeout | undefined
  deferredSince: number
  reading: boolean
  /** A notice arrived during a read: read again afterwards. */
  dirty: boolean
  statSignature: string
  lastHash: string
  unavailable: boolean
}

/**
 * A flags file, hot-reloaded. Watches the file's parent directory with `fs.watch` (which catches
 * edits in place, atomic renames, deletion + re-creation and Kubernetes ConfigMap symlink swaps)
 * plus a slow `stat` poll as a fallback; every notice is debounced, and the provider hears of
 * the content only when its xxh64 hash changed. A missing or unreadable file after start is
 * reported as unavailable (the provider keeps its last good flags). Watchers and timers are
 * unref'd: they never keep the process alive on their own.
 *
 * @example
 * const provider = new CanaryProvider({ source: fileSource('/etc/flags/flags.json', { debounceMs: 50 }) })
 * await OpenFeature.setProviderAndWait(provider)
 */
export function fileSource(path: string, options: FileSourceOptions = {}): FileSource {
  const debounceMs = positive('debounceMs', options.debounceMs, 100)
  const pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs, 2000)
  const file = resolve(path)
  const dir = dirname(file)
  let session: Session | undefined
  let reads = 0

  async function readContent(current: Session): Promise<string> {
    reads++
    current.reading = true
    try {
      return await readFile(file, 'utf8')
    } finally {
      current.reading = false
    }
  }

  function unavailable(cause: unknown): FlagsError {
    const code = (cause as { code?: unknown } | null)?.code
    const why =
      code === 'ENOENT'
        ? 'the file does not exist'
        : `cannot read the file (${String(code ?? cause)})`
    return new FlagsError('SOURCE_UNAVAILABLE', why, { source: path, cause })
  }

  function schedule(current: Session): void {
    if (current.stopped) return
    const now = Date.now()
    if (current.debounce !== undefined) {
      // Keep deferring while notices keep coming, but not forever (a busy directory).
      if (now - current.deferredSince >= debounceMs * MAX_DEFER_PERIODS) return
      clearTimeout(current.debounce)
    } else {
      current.deferredSince = now
    }
    current.debounce = setTimeout(() => {
      current.debounce = undefined
      void check(current)
    }, debounceMs).unref()
  }

  async function check(current: Session): Promise<void> {
    if (current.stopped) return
    if (current.reading) {
      current.dirty = true
      return
    }
    try {
      const text = await readContent(current)
      if (current.stopped) return
      const hash = current.hash(text)
      if (hash === current.lastHash && !current.unavailable) return
      current.lastHash = hash
      current.unavailable = false
      current.listener.change({ text, hash })
    } catch (error) {
      if (current.stopped) return
      current.unavailable = true
      current.listener.unavailable(unavailable(error))
    } finally {
      if (current.dirty && !current.stopped) {
        current.dirty = false
        schedule(current)
      }
    }
  }

  /** (Re-)creates the directory watcher; on failure the poll keeps working and retries. */
  async function ensureWatcher(current: Session): Promise<void> {
    let dirIno: number
    try {
      dirIno = (await stat(dir)).ino
    } catch {
      return
    }
    if (current.stopped || (current.watcher !== undefined && current.watchedDir === dirIno)) return
    // A re-created directory is a new inode: the old watcher would stay silent forever.
    closeWatcher(current)
    try {
      const watcher = watch(dir, { persistent: false }, () => schedule(current))
      watcher.on('error', () => {
        if (current.watcher === watcher) closeWatcher(current)
      })
      current.watcher = watcher
      current.watchedDir = dirIno
    } catch {
      // The directory vanished between stat and watch: the next poll retries.
    }
  }

  async function poll(current: Session): Promise<void> {
    if (current.polling || current.stopped) return
    current.polling = true
    try {
      await ensureWatcher(current)
      const signature = await statSignature()
      if (!current.stopped && signature !== current.statSignature) {
        current.statSignature = signature
        schedule(current)
      }
    } finally {
      current.polling = false
    }
  }

  async function statSignature(): Promise<string> {
    try {
      const s = await stat(file)
      return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`
    } catch (error) {
      return `missing:${String((error as { code?: unknown } | null)?.code)}`
    }
  }

  function closeWatcher(current: Session): void {
    current.watcher?.close()
    current.watcher = undefined
    current.watchedDir = undefined
  }

  function halt(current: Session): void {
    current.stopped = true
    closeWatcher(current)
    clearInterval(current.poll)
    clearTimeout(current.debounce)
    current.poll = undefined
    current.debounce = undefined
  }

  return {
    name: path,
    path: file,
    get activity(): FileSourceActivity {
      const s = session
      return {
        watchers: s?.watcher === undefined ? 0 : 1,
        timers: (s?.poll === undefined ? 0 : 1) + (s?.debounce === undefined ? 0 : 1),
        reading: s?.reading ?? false,
        reads,
      }
    },
    async start(listener) {
      if (session !== undefined) halt(session)
      // Created before the first await, so a stop() during start finds and halts it.
      const current: Session = {
        listener,
        hash: () => '',
        stopped: false,
        polling: false,
        deferredSince: 0,
        reading: false,
        dirty: false,
        statSignature: '',
        lastHash: '',
        unavailable: false,
      }
      session = current
      const stoppedWhileStarting = (): FlagsError =>
        new FlagsError('NOT_READY', 'the source was stopped while starting', { source: path })
      current.hash = await createContentHasher()
      // Watch before reading, so a write between the two is not missed.
      await ensureWatcher(current)
      current.statSignature = await statSignature()
      let text: string
      try {
        text = await readContent(current)
      } catch (error) {
        halt(current)
        throw unavailable(error)
      }
      if (current.stopped) throw stoppedWhileStarting()
      current.poll = setInterval(() => void poll(current), pollIntervalMs).unref()
      current.lastHash = current.hash(text)
      return { text, hash: current.lastHash }
    },
    stop() {
      if (session !== undefined) halt(session)
      return Promise.resolve()
    },
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) {
    throw new FlagsError('INVALID_ARGUMENT', `fileSource: ${name} must be a positive number`)
  }
  return value
}
