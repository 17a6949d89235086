import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FlagsDocument } from '@canarykit/core'

/** A small flagd document: `banner` (boolean) and `color` (string), default variants chosen. */
export function flagsDoc(banner: 'on' | 'off', color: 'red' | 'blue' = 'red'): FlagsDocument {
  return {
    flags: {
      banner: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: banner },
      color: { state: 'ENABLED', variants: { red: 'red', blue: 'blue' }, defaultVariant: color },
    },
  }
}

export interface TempFlags {
  readonly dir: string
  readonly file: string
  cleanup(): Promise<void>
}

/** A fresh directory holding `flags.json` with `document`. */
export async function tempFlags(document: FlagsDocument | string): Promise<TempFlags> {
  const dir = await mkdtemp(join(tmpdir(), 'canarykit-openfeature-'))
  const file = join(dir, 'flags.json')
  await writeFile(file, typeof document === 'string' ? document : JSON.stringify(document))
  return { dir, file, cleanup: () => rm(dir, { recursive: true, force: true }) }
}
