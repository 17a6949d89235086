/*
 * The terminal: on a TTY, a live area at the bottom redrawn in place with ANSI cursor control,
 * with lasting lines (decisions, alerts) printed above it; otherwise plain lines only, with a
 * progress line now and then.
 */

/** Text styles: ANSI on a TTY, none otherwise. */
export interface Style {
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
  readonly green: (text: string) => string
  readonly red: (text: string) => string
  readonly yellow: (text: string) => string
  readonly cyan: (text: string) => string
}

const ansi = (code: number) => (text: string) => `\x1b[${code}m${text}\x1b[0m`
const none = (text: string): string => text

export interface LiveView {
  readonly tty: boolean
  readonly style: Style
  /** Lines that stay. */
  print(text: string): void
  /** The live area (TTY) or, every `progressEveryMs`, the progress line (plain). */
  update(lines: readonly string[], progress: string): void
  /** Prints the last progress line (plain) or leaves the last frame on screen (TTY). */
  settle(): void
}

export interface LiveViewOptions {
  readonly write: (text: string) => void
  readonly tty: boolean
  /** Terminal width, to keep redrawn lines from wrapping. */
  readonly columns?: () => number
  readonly progressEveryMs: number
  readonly now?: () => number
}

export function createLiveView(options: LiveViewOptions): LiveView {
  const { write, tty } = options
  const now = options.now ?? (() => Date.now())
  const style: Style = tty
    ? {
        bold: ansi(1),
        dim: ansi(2),
        green: ansi(32),
        red: ansi(31),
        yellow: ansi(33),
        cyan: ansi(36),
      }
    : { bold: none, dim: none, green: none, red: none, yellow: none, cyan: none }
  let drawn = 0
  let frame: readonly string[] = []
  let lastProgress = ''
  let lastProgressAt = -Infinity
  let pending = false

  function erase(): void {
    // Up to the first line of the live area, then clear to the end of the screen.
    if (drawn > 0) write(`\x1b[${drawn}F\x1b[J`)
    drawn = 0
  }

  function draw(): void {
    const width = Math.max(40, options.columns?.() ?? 120)
    const lines = frame.map((line) => fit(line, width))
    if (lines.length > 0) write(`${lines.join('\n')}\n`)
    drawn = lines.length
  }

  return {
    tty,
    style,
    print(text) {
      if (tty) erase()
      write(`${text}\n`)
      if (tty) draw()
    },
    update(lines, progress) {
      if (tty) {
        frame = lines
        erase()
        draw()
        return
      }
      lastProgress = progress
      pending = true
      if (now() - lastProgressAt >= options.progressEveryMs) {
        write(`${progress}\n`)
        lastProgressAt = now()
        pending = false
      }
    },
    settle() {
      if (tty) {
        drawn = 0 // the last frame stays as it is
      } else if (pending) {
        write(`${lastProgress}\n`)
        pending = false
      }
      lastProgressAt = -Infinity
    },
  }
}

/** Cuts a line to `width` visible characters (ANSI sequences do not count, and are kept). */
function fit(line: string, width: number): string {
  let visible = 0
  let out = ''
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i)
      if (end !== -1) {
        out += line.slice(i, end + 1)
        i = end
        continue
      }
    }
    if (visible >= width - 1) return `${out}…\x1b[0m`
    out += line[i]
    visible++
  }
  return out
}
