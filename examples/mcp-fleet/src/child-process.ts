import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

/**
 * `node` arguments that run a TypeScript entry from source, as `pnpm canarykit` does: tsx as a
 * loader (so `node` itself is the process, and a signal reaches it, not a wrapper) and the
 * workspace packages' `@canarykit/source` export condition.
 */
export const RUN_TS = [
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
  '--conditions=@canarykit/source',
] as const

/** A process the fleet started: its own process group, its output, bounded waits. */
export interface Child {
  readonly name: string
  readonly pid: number
  /** Everything it printed on stdout / stderr so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the first stdout line (from `from`, a stdout offset) matching `pattern`. */
  waitForLine(pattern: RegExp, ms: number, from?: number): Promise<string>
  readonly exited: Promise<number | null>
  readonly running: () => boolean
  /** Signals the whole process group (no-op once it exited). */
  kill(signal: NodeJS.Signals): void
  /** SIGTERM, then SIGKILL after `ms`; resolves once it exited. */
  stop(ms?: number): Promise<void>
}

export interface SpawnOptions {
  readonly cwd: string
  readonly env?: NodeJS.ProcessEnv
  /** Keep stdin open as a pipe: a child that watches it exits when this process goes away. */
  readonly stdinLifeline?: boolean
}

/**
 * Starts `command` in its own process group (so `kill` reaches anything it spawns), collecting
 * its output. Rejects nothing: a failed start shows as `exited`.
 */
export function spawnChild(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): Child {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: [options.stdinLifeline === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  let alive = true
  // Kept whole: these processes live for a test (a minute or so), and offsets stay valid.
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => {
      alive = false
      resolve(null)
    })
    child.once('exit', (code) => {
      alive = false
      resolve(code)
    })
  })
  const pid = child.pid ?? -1

  function kill(signal: NodeJS.Signals): void {
    if (!alive || pid <= 0) return
    try {
      process.kill(-pid, signal)
    } catch {
      // Already gone.
    }
  }

  return {
    name,
    pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    running: () => alive,
    kill,
    async stop(ms = 5000) {
      kill('SIGTERM')
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          kill('SIGKILL')
          resolve()
        }, ms)
      })
      await Promise.race([exited, late])
      clearTimeout(timer)
      await exited
    },
    waitForLine(pattern, ms, from = 0) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + ms
        const poll = setInterval(check, 25)
        check()
        function check(): void {
          const line = out
            .slice(from)
            .split('\n')
            .find((l) => pattern.test(l))
          if (line !== undefined) return finish(() => resolve(line))
          if (!alive) return finish(() => reject(new Error(`${name} exited: ${tail(err)}`)))
          if (Date.now() > deadline) {
            return finish(() => reject(new Error(`${name}: no line ${pattern} in ${ms} ms`)))
          }
        }
        function finish(settle: () => void): void {
          clearInterval(poll)
          settle()
        }
      })
    },
  }
}

/** The last lines of some output, for an error message. */
export function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join(' | ')
}
