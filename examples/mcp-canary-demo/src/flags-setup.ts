import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * The demo's flags file: one flag per release of the `search` tool. Each starts with every
 * session on `stable`; the guard writes the split as the rollout goes.
 */
export const INITIAL_FLAGS = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "search-v2": {
      "state": "ENABLED",
      "variants": { "stable": "v1", "canary": "v2" },
      "defaultVariant": "stable",
      "metadata": { "owner": "search-team" }
    },
    "search-v3": {
      "state": "ENABLED",
      "variants": { "stable": "v2", "canary": "v3" },
      "defaultVariant": "stable",
      "metadata": { "owner": "search-team" }
    }
  }
}
`

export interface DemoFiles {
  readonly dir: string
  readonly flagsFile: string
  readonly auditFile: string
}

/** Writes a fresh flags file into `dir` and removes an old audit log there. */
export async function prepareFiles(dir: string): Promise<DemoFiles> {
  await mkdir(dir, { recursive: true })
  const flagsFile = join(dir, 'flags.json')
  const auditFile = join(dir, 'flags.audit.jsonl')
  await writeFile(flagsFile, INITIAL_FLAGS)
  await rm(auditFile, { force: true })
  return { dir, flagsFile, auditFile }
}

/** The part of the flags file about `flagKey`: the flag and its rollout record, as JSON text. */
export async function flagsExcerpt(flagsFile: string, flagKey: string): Promise<string> {
  const document = JSON.parse(await readFile(flagsFile, 'utf8')) as {
    flags: Record<string, unknown>
    canarykit?: { rollouts?: Record<string, unknown> }
  }
  const excerpt = {
    flags: { [flagKey]: document.flags[flagKey] },
    canarykit: { rollouts: { [flagKey]: document.canarykit?.rollouts?.[flagKey] } },
  }
  return JSON.stringify(excerpt, null, 2)
}

/** The audit records of `flagKey` whose action is `action`, oldest first. */
export async function auditRecords(
  auditFile: string,
  flagKey: string,
  action: string,
): Promise<Record<string, unknown>[]> {
  const text = await readFile(auditFile, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record['flagKey'] === flagKey && record['action'] === action)
}
