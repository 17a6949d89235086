/**
 * The file source through the real OpenFeature SDK, on real temporary files: every way a flags
 * file gets rewritten, every way it goes bad, and shutdown while a reload is pending.
 */
import { mkdir, readFile, rename, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises'
import { unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isFlagsError } from '@canarykit/core'
import { OpenFeature, ProviderEvents, ProviderStatus, type Client } from '@openfeature/server-sdk'
import { afterEach, describe, expect, it } from 'vitest'
import {
  changedFlags,
  recordEvents,
  sleep,
  until,
  type EventRecorder,
} from '../test/support/event-recorder.js'
import { flagsDoc, tempFlags, type TempFlags } from '../test/support/flags.js'
import { CanaryProvider } from './canary-provider.js'
import { fileSource, type FileSource } from './file-source.js'

const DEBOUNCE_MS = 20
/** Long enough never to fire during a test: the directory watcher alone must notice changes. */
const WATCH_ONLY_POLL_MS = 60_000
/** How long to keep watching for events that must NOT come (a bound, not an assertion). */
const SETTLE_MS = 250

interface Harness {
  readonly temp: TempFlags
  readonly source: FileSource
  readonly provider: CanaryProvider
  readonly client: Client
  readonly events: EventRecorder
  readonly logs: string[]
}

const cleanups: (() => Promise<void> | void)[] = []
let domains = 0

afterEach(async () => {
  await OpenFeature.clearProviders()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function start(
  temp: TempFlags,
  { file = temp.file, pollIntervalMs = WATCH_ONLY_POLL_MS, debounceMs = DEBOUNCE_MS } = {},
): Promise<Harness> {
  cleanups.push(() => temp.cleanup())
  const source = fileSource(file, { debounceMs, pollIntervalMs })
  const logs: string[] = []
  const logger = {
    warn: (m: string) => logs.push(`warn ${m}`),
    error: (m: string) => logs.push(`error ${m}`),
  }
  const provider = new CanaryProvider({ source, logger })
  const domain = `hot-reload-${++domains}`
  await OpenFeature.setProviderAndWait(domain, provider)
  const client = OpenFeature.getClient(domain)
  const events = recordEvents(client)
  cleanups.push(() => events.stop())
  return { temp, source, provider, client, events, logs }
}

const banner = (h: Harness): Promise<boolean> =>
  h.client.getBooleanValue('banner', false, { targetingKey: 'u1' })
const color = (h: Harness): Promise<string> =>
  h.client.getStringValue('color', 'none', { targetingKey: 'u1' })

describe('hot reload', () => {
  it('loads the file at initialize and serves it', async () => {
    const h = await start(await tempFlags(flagsDoc('off')))
    const details = await h.client.getBooleanDetails('banner', true, { targetingKey: 'u1' })
    expect(details).toMatchObject({ value: false, variant: 'off', reason: 'STATIC' })
    expect(details.errorCode).toBeUndefined()
    expect(h.provider.sourceStatus).toMatchObject({ state: 'ok', loads: 1 })
    expect(h.provider.sourceStatus.contentHash).toMatch(/^[0-9a-f]{16}$/)
  })

  it('notices an edit in place and names exactly the changed flag', async () => {
    const h = await start(await tempFlags(flagsDoc('off')))
    const mark = h.events.mark()
    await writeFile(h.temp.file, JSON.stringify(flagsDoc('on')))
    const event = await h.events.next(ProviderEvents.ConfigurationChanged, mark)
    expect(event.details.flagsChanged).toEqual(['banner'])
    expect(await banner(h)).toBe(true)
    expect(h.provider.sourceStatus.loads).toBe(2)
  })

  it('notices atomic renames (write a temporary file, rename it over), again and again', async () => {
    const h = await start(await tempFlags(flagsDoc('off')))
    const tmp = join(h.temp.dir, '.flags.json.tmp')
    // The second and third renames prove the watch survived the first (the file's inode changed).
    for (const [next, changed] of [
      [flagsDoc('off', 'blue'), 'color'],
      [flagsDoc('on', 'blue'), 'banner'],
      [flagsDoc('on', 'red'), 'color'],
    ] as const) {
      const mark = h.events.mark()
      await writeFile(tmp, JSON.stringify(next))
      await rename(tmp, h.temp.file)
      const event = await h.events.next(ProviderEvents.ConfigurationChanged, mark)
      expect(event.details.flagsChanged).toEqual([changed])
    }
    expect(await color(h)).toBe('red')
  })

  it('notices a Kubernetes ConfigMap update (a symlink swap in the directory)', async () => {
    const temp = await tempFlags(flagsDoc('off'))
    // Layout kubelet writes: flags.json -> ..data/flags.json, ..data -> ..v1 (a timestamped dir).
    await mkdir(join(temp.dir, '..v1'))
    await writeFile(join(temp.dir, '..v1', 'flags.json'), JSON.stringify(flagsDoc('off')))
    await symlink('..v1', join(temp.dir, '..data'))
    const file = join(temp.dir, 'mounted.json')
    await symlink(join('..data', 'flags.json'), file)
    const h = await start(temp, { file })
    // Two updates: the second proves the watch survived the first swap.
    for (const [version, next] of [
      [2, flagsDoc('on')],
      [3, flagsDoc('on', 'blue')],
    ] as const) {
      const mark = h.events.mark()
      await mkdir(join(temp.dir, `..v${version}`))
      await writeFile(join(temp.dir, `..v${version}`, 'flags.json'), JSON.stringify(next))
      await symlink(`..v${version}`, join(temp.dir, '..data_tmp'))
      await rename(join(temp.dir, '..data_tmp'), join(temp.dir, '..data'))
      await rm(join(temp.dir, `..v${version - 1}`), { recursive: true })
      const event = await h.events.next(ProviderEvents.ConfigurationChanged, mark)
      expect(event.details.flagsChanged).toEqual([version === 2 ? 'banner' : 'color'])
    }
    expect(await banner(h)).toBe(true)
    expect(await color(h)).toBe('blue')
  })

  it('rides out a deletion immediately followed by re-creation', async () => {
    const h = await start(await tempFlags(flagsDoc('off')))
    const mark = h.events.mark()
    // Both happen before any watcher callback can run: the debounced read sees the new file.
    unlinkSync(h.temp.file)
    writeFileSync(h.temp.file, JSON.stringify(flagsDoc('on')))
    await h.events.next(ProviderEvents.ConfigurationChanged, mark)
    expect(h.events.since(ProviderEvents.Stale, mark)).toEqual([])
    expect(await banner(h)).toBe(true)
  })

  it('goes STALE while the file is missing, keeps serving, and recovers when it returns', async () => {
    const h = await start(await tempFlags(flagsDoc('on', 'blue')))
    const mark = h.events.mark()
    await unlink(h.temp.file)
    const stale = await h.events.next(ProviderEvents.Stale, mark)
    expect(stale.details.message).toContain('flags.json')
    expect(h.client.providerStatus).toBe(ProviderStatus.STALE)
    const status = h.provider.sourceStatus
    expect(status.state).toBe('stale')
    expect(isFlagsError(status.lastError) && status.lastError.code).toBe('SOURCE_UNAVAILABLE')
    // The last good flags keep serving, as successful evaluations.
    expect(await h.client.getBooleanDetails('banner', false)).toMatchObject({
      value: true,
      reason: 'STATIC',
    })

    const back = h.events.mark()
    await writeFile(h.temp.file, JSON.stringify(flagsDoc('on', 'red')))
    await h.events.next(ProviderEvents.Ready, back)
    const changed = await h.events.next(ProviderEvents.ConfigurationChanged, back)
    expect(changed.details.flagsChanged).toEqual(['color'])
    expect(h.client.providerStatus).toBe(ProviderStatus.READY)
    expect(h.provider.sourceStatus).toMatchObject({ state: 'ok', loads: 2 })
    expect(h.provider.sourceStatus.lastError).toBeUndefined()
    expect(await color(h)).toBe('red')
  })

  it('recovers with READY only when the file returns unchanged', async () => {
    const h = await start(await tempFlags(flagsDoc('on')))
    const text = await readFile(h.temp.file, 'utf8')
    const mark = h.events.mark()
    await unlink(h.temp.file)
    await h.events.next(ProviderEvents.Stale, mark)
    await writeFile(h.temp.file, text)
    await h.events.next(ProviderEvents.Ready, mark)
    expect(h.events.since(ProviderEvents.ConfigurationChanged, mark)).toEqual([])
    expect(h.provider.sourceStatus).toMatchObject({ state: 'ok', loads: 1 })
  })

  it('stays STALE when the file is removed for good, reporting it once', async () => {
    const h = await start(await tempFlags(flagsDoc('on')))
    const mark = h.events.mark()
    await unlink(h.temp.file)
    await h.events.next(ProviderEvents.Stale, mark)
    // More directory activity makes the source look again: still missing, nothing new reported.
    const reads = h.source.activity.reads
    await writeFile(join(h.temp.dir, 'unrelated.txt'), 'x')
    await until(() => h.source.activity.reads > reads, 'another read attempt')
    await sleep(SETTLE_MS)
    expect(h.events.since(ProviderEvents.Stale, mark)).toHaveLength(1)
    expect(h.logs.filter((l) => l.includes('does not exist'))).toHaveLength(1)
    expect(await banner(h)).toBe(true)
    expect(h.provider.sourceStatus.state).toBe('stale')
  })

  it('rejects a half-written file, keeps the last good flags, and recovers when it completes', async () => {
    const h = await start(await tempFlags(flagsDoc('off')))
    const full = JSON.stringify(flagsDoc('on', 'blue'), null, 2)
    const mark = h.events.mark()
    await writeFile(h.temp.file, full.slice(0, full.length / 2))
    const error = await h.events.next(ProviderEvents.Error, mark)
    expect(error.details.message).toContain(h.temp.file)
    expect(h.client.providerStatus).toBe(ProviderStatus.ERROR)
    expect(h.provider.sourceStatus.state).toBe('error')
    expect(await h.client.getBooleanDetails('banner', true)).toMatchObject({
      value: false,
      variant: 'off',
      reason: 'STATIC',
    })

    const done = h.events.mark()
    await writeFile(h.temp.file, full)
    await h.events.next(ProviderEvents.Ready, done)
    const changed = await h.events.next(ProviderEvents.ConfigurationChanged, done)
    expect(changedFlags(changed)).toEqual(['banner', 'color'])
    expect(await banner(h)).toBe(true)
    expect(h.client.providerStatus).toBe(ProviderStatus.READY)
  })

  it('rejects invalid JSON with the file and position, logging it once', async () => {
    const h = await start(await tempFlags(flagsDoc('off')))
    const mark = h.events.mark()
    const broken = '{ "flags": { "banner": { "state": "ENABLED", } } }'
    await writeFile(h.temp.file, broken)
    const error = await h.events.next(ProviderEvents.Error, mark)
    expect(error.details.message).toMatch(/flags\.json/)
    expect(h.provider.sourceStatus.lastError?.code).toBe('INVALID_JSON')

    // The same bytes again (a new mtime): the hash is unchanged, so nothing new happens.
    const reads = h.source.activity.reads
    await writeFile(h.temp.file, broken)
    const later = new Date(Date.now() + 5000)
    await utimes(h.temp.file, later, later)
    await until(() => h.source.activity.reads > reads, 'the rewrite to be read')
    await sleep(SETTLE_MS)
    expect(h.events.since(ProviderEvents.Error, mark)).toHaveLength(1)
    expect(h.logs.filter((l) => l.startsWith('error'))).toHaveLength(1)
    expect(await banner(h)).toBe(false)
  })

  it('rejects a schema violation naming the flag and the JSON path', async () => {
    const h = await start(await tempFlags(flagsDoc('off')))
    const mark = h.events.mark()
    const bad = flagsDoc('on') as unknown as { flags: Record<string, Record<string, unknown>> }
    ;(bad.flags['color'] as Record<string, unknown>)['state'] = 'MAYBE'
    await writeFile(h.temp.file, JSON.stringify(bad))
    const error = await h.events.next(ProviderEvents.Error, mark)
    expect(error.details.message).toContain('flag "color"')
    expect(error.details.message).toContain('/flags/color/state')
    expect(h.provider.sourceStatus.lastError?.code).toBe('INVALID_CONFIG')
    // Loading is atomic: the valid half of the bad file (banner: on) is not applied either.
    expect(await banner(h)).toBe(false)
  })

  it('coalesces a burst of writes into exactly one reload of the final content', async () => {
    const h = await start(await tempFlags(flagsDoc('off')))
    const mark = h.events.mark()
    for (let i = 0; i < 30; i++) {
      writeFileSync(h.temp.file, JSON.stringify(flagsDoc(i % 2 === 0 ? 'on' : 'off', 'red')))
    }
    writeFileSync(h.temp.file, JSON.stringify(flagsDoc('on', 'blue')))
    const event = await h.events.next(ProviderEvents.ConfigurationChanged, mark)
    expect(changedFlags(event)).toEqual(['banner', 'color'])
    await sleep(SETTLE_MS)
    expect(h.events.since(ProviderEvents.ConfigurationChanged, mark)).toHaveLength(1)
    expect(h.provider.sourceStatus.loads).toBe(2)
    expect(await banner(h)).toBe(true)
    expect(await color(h)).toBe('blue')
  })

  it('leaves nothing running when closed while a reload is pending', async () => {
    // A long debounce, so the pending state is easy to catch even on a loaded machine.
    const h = await start(await tempFlags(flagsDoc('off')), { debounceMs: 1000 })
    const own = recordEvents(h.provider.events)
    cleanups.push(() => own.stop())
    expect(h.source.activity).toMatchObject({ watchers: 1, timers: 1 })
    await writeFile(h.temp.file, JSON.stringify(flagsDoc('on')))
    // The watcher saw the write: the debounce timer is armed, the read has not happened.
    await until(() => h.source.activity.timers === 2, 'the debounce timer')
    const reads = h.source.activity.reads
    await h.provider.onClose()
    expect(h.source.activity).toEqual({ watchers: 0, timers: 0, reading: false, reads })
    await h.provider.onClose() // idempotent
    await writeFile(h.temp.file, JSON.stringify(flagsDoc('off', 'blue')))
    await sleep(1000 + SETTLE_MS)
    expect(own.events).toEqual([])
    expect(h.source.activity.reads).toBe(reads)
    expect(h.provider.sourceStatus).toMatchObject({ state: 'idle', loads: 1 })
  })

  it('falls back to polling for changes no directory event reports', async () => {
    // The watched directory holds only a symlink; the edit happens in another directory, so only
    // the stat poll (which follows the link) can see it.
    const temp = await tempFlags(flagsDoc('off'))
    await mkdir(join(temp.dir, 'watched'))
    const file = join(temp.dir, 'watched', 'flags.json')
    await symlink(temp.file, file)
    const h = await start(temp, { file, pollIntervalMs: 50 })
    const mark = h.events.mark()
    await writeFile(temp.file, JSON.stringify(flagsDoc('on')))
    const event = await h.events.next(ProviderEvents.ConfigurationChanged, mark)
    expect(event.details.flagsChanged).toEqual(['banner'])
  })

  it('survives the whole directory being removed and re-created', async () => {
    const h = await start(await tempFlags(flagsDoc('off')), { pollIntervalMs: 50 })
    const mark = h.events.mark()
    await rm(h.temp.dir, { recursive: true })
    await h.events.next(ProviderEvents.Stale, mark)
    const back = h.events.mark()
    await mkdir(h.temp.dir)
    await writeFile(h.temp.file, JSON.stringify(flagsDoc('on')))
    await h.events.next(ProviderEvents.Ready, back)
    const edit = h.events.mark()
    await writeFile(h.temp.file, JSON.stringify(flagsDoc('on', 'blue')))
    const event = await h.events.next(ProviderEvents.ConfigurationChanged, edit)
    expect(event.details.flagsChanged).toEqual(['color'])
    expect(h.source.activity.watchers).toBe(1)
  })

  it('closes through OpenFeature.close() as well', async () => {
    const h = await start(await tempFlags(flagsDoc('off')))
    await OpenFeature.close()
    expect(h.source.activity).toMatchObject({ watchers: 0, timers: 0 })
  })
})

describe('initialize', () => {
  it('rejects when the first load fails, and leaves nothing running', async () => {
    const temp = await tempFlags('{ "flags": ')
    cleanups.push(() => temp.cleanup())
    const source = fileSource(temp.file, { debounceMs: DEBOUNCE_MS })
    const provider = new CanaryProvider({ source, logger: {} })
    const failure = await OpenFeature.setProviderAndWait('init-fails', provider).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(isFlagsError(failure) && failure.code).toBe('INVALID_JSON')
    expect((failure as Error).message).toContain(temp.file)
    expect(OpenFeature.getClient('init-fails').providerStatus).toBe(ProviderStatus.ERROR)
    expect(provider.sourceStatus.state).toBe('error')
    expect(source.activity).toMatchObject({ watchers: 0, timers: 0 })
  })

  it('rejects with SOURCE_UNAVAILABLE when the file does not exist', async () => {
    const temp = await tempFlags(flagsDoc('on'))
    cleanups.push(() => temp.cleanup())
    const source = fileSource(join(temp.dir, 'missing.json'))
    const provider = new CanaryProvider({ source, logger: {} })
    const failure = await OpenFeature.setProviderAndWait('init-missing', provider).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(isFlagsError(failure) && failure.code).toBe('SOURCE_UNAVAILABLE')
    expect(source.activity).toMatchObject({ watchers: 0, timers: 0 })
  })

  it('stops cleanly when closed while starting', async () => {
    const temp = await tempFlags(flagsDoc('on'))
    cleanups.push(() => temp.cleanup())
    const source = fileSource(temp.file, { debounceMs: DEBOUNCE_MS })
    const provider = new CanaryProvider({ source, logger: {} })
    const initializing = provider.initialize().catch((error: unknown) => error)
    await provider.onClose()
    expect(isFlagsError(await initializing)).toBe(true)
    expect(source.activity).toMatchObject({ watchers: 0, timers: 0, reading: false })
    expect(provider.sourceStatus.state).toBe('idle')
  })

  it('refuses nonsensical intervals', () => {
    expect(() => fileSource('flags.json', { debounceMs: 0 })).toThrow(/debounceMs/)
    expect(() => fileSource('flags.json', { pollIntervalMs: Number.NaN })).toThrow(/pollIntervalMs/)
  })
})
