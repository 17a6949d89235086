/** The part of a `Writable` the CLI uses, so tests can pass a plain collector. */
export interface TextSink {
  /** Returns `false` when the sink is full; then wait for `drain` before writing more. */
  write(chunk: string): boolean
  once?(event: 'drain', listener: () => void): unknown
  /** Terminal width, when the sink is a TTY (used to wrap `--help`). */
  readonly columns?: number | undefined
}

/** Where a CLI run reads relative paths from and writes to. */
export interface CliIo {
  readonly stdout: TextSink
  readonly stderr: TextSink
  /** Base for relative file paths. Default: `process.cwd()`. */
  readonly cwd?: string
}

/** A {@link CliIo} with its defaults applied, handed to every command. */
export interface CommandIo {
  readonly stdout: TextSink
  readonly stderr: TextSink
  readonly cwd: string
}
