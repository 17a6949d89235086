import type { Engine, Logger } from '@canarykit/core'
import { fileSource, type FileSource, type FileSourceOptions } from '@canarykit/openfeature'

/**
 * Loads the flags file into `engine` and keeps it loaded: every change the file source delivers
 * is loaded; a rejected one (half-written, invalid) is logged once per distinct error and the
 * last good flags keep serving. Rejects, with the source stopped, when the first load fails.
 *
 * @internal
 */
export async function startFlagsReload(
  engine: Engine,
  flagsFile: string,
  options: FileSourceOptions,
  logger: Logger,
): Promise<FileSource> {
  const source = fileSource(flagsFile, options)
  let lastProblem = ''
  const report = (problem: string): void => {
    if (problem === lastProblem) return
    lastProblem = problem
    logger.warn?.(problem)
  }
  const initial = await source.start({
    change(content) {
      try {
        engine.load(content.text, { source: flagsFile })
        lastProblem = ''
      } catch (error) {
        report(`${describe(error)} (the last good configuration keeps serving)`)
      }
    },
    unavailable(error) {
      report(`${error.message} (the last good configuration keeps serving)`)
    },
  })
  try {
    engine.load(initial.text, { source: flagsFile })
  } catch (error) {
    await source.stop()
    throw error
  }
  return source
}

/** A FlagsError's message already names the file, the flag and the JSON path. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
