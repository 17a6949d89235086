import { resolve } from 'node:path'
import { isFlagsError } from '@canarykit/core'
import {
  createFleetRolloutLogic,
  createRolloutGuard,
  prometheusMetricSource,
  readRollouts,
  type RolloutLogic,
} from '@canarykit/guard'
import { InvalidArgumentError } from 'commander'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js'
import { flagsErrorLines } from '../flags/describe-flags-error.js'
import type { CommandIo } from '../io.js'
import { createGuardLease, type GuardLease } from '../rollouts/guard-lease.js'
import type { RegisterCommand } from './command-context.js'

interface GuardCommandOptions {
  readonly prometheus: string
  readonly interval: number
  readonly audit?: string
  readonly webhook?: string
  readonly lease?: string
  readonly leaseTtl?: number
  readonly grace?: number
  readonly maxAge?: number
  readonly matchers?: string
  readonly upSelector?: string
}

const HELP_AFTER = `
Runs the rollout guard as its own process for a fleet of replicas (fleet mode): every interval
it reads each running rollout's canary and baseline metrics, summed over all replicas, from
Prometheus (@canarykit/telemetry's series), judges them and writes the next stage, completion
or rollback into the flags file, which every replica serves. It prints one line per decision.
Missing or stale metrics, or a replica Prometheus fails to scrape, hold the rollout (never
promote on them, never roll back on missing data alone); after --grace this is alerted once
(webhook, audit log, stderr), and again when the metrics are back. The guard keeps no
state of its own: a restarted guard resumes from the file. Run exactly one per file, or several
with --lease: only the holder of the lease file judges, the others stand by and take over once
it expires (a crashed or hung holder). Stops on SIGINT or SIGTERM.

Exit codes:
  0  stopped by SIGINT/SIGTERM
  1  the flags file is unreadable or invalid at start, or another guard took the lease
  2  usage error (e.g. a malformed --prometheus URL or --interval)

Examples:
  $ canarykit guard flags.json --prometheus http://prometheus:9090
  $ canarykit guard flags.json --prometheus http://127.0.0.1:9090 --interval 10s --audit rollouts.jsonl
  $ canarykit guard flags.json --prometheus http://prometheus:9090 --matchers 'namespace="prod"' --grace 2m
  $ canarykit guard /shared/flags.json --prometheus http://prometheus:9090 --lease /shared/guard.lease`

export const registerGuard: RegisterCommand = (program, { io, setExitCode }) => {
  program
    .command('guard')
    .summary('run the rollout guard for a fleet, judging metrics from Prometheus')
    .description(
      'Run the rollout guard as a standalone process: judge every running rollout on the metrics of all replicas (from Prometheus) and write each decision into the flags file, until SIGINT/SIGTERM.',
    )
    .argument('<flags>', 'flagd flags file (JSON) with a canarykit rollout section')
    .requiredOption('--prometheus <url>', 'base URL of the Prometheus server')
    .option('--interval <duration>', 'how often to check, e.g. 5s, 500ms, 1m', parseDuration, 5000)
    .option('--audit <file>', 'append every action to this JSONL audit log')
    .option('--webhook <url>', 'POST every alert as JSON (Slack-compatible)')
    .option('--lease <file>', 'run as one of several guards: only the lease holder judges')
    .option(
      '--lease-ttl <duration>',
      'lease expiry (default: 3 intervals, at least 15s)',
      parseDuration,
    )
    .option(
      '--grace <duration>',
      'alert when metrics stay unusable this long (default: 12 intervals, at least 60s)',
      parseDuration,
    )
    .option(
      '--max-age <duration>',
      'older metrics are stale and hold the rollout (default: 2 intervals, at least 30s)',
      parseDuration,
    )
    .option('--matchers <labels>', 'label matchers added to every query, e.g. job="mcp"')
    .option(
      '--up-selector <selector>',
      'the up series checked for unscraped replicas (default: up with --matchers; "off": none)',
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (file: string, options: GuardCommandOptions) => {
      setExitCode(await runGuard(file, options, io))
    })
}

async function runGuard(
  file: string,
  options: GuardCommandOptions,
  io: CommandIo,
): Promise<number> {
  const path = resolve(io.cwd, file)
  const say = (line: string): void => void io.stdout.write(`${line}\n`)
  const warn = (line: string): void => void io.stderr.write(`${line}\n`)
  try {
    await readRollouts(path)
  } catch (error) {
    warn(flagsErrorLines(file, error, 'cannot read its rollouts').join('\n'))
    return EXIT_FAILED
  }
  let fleet: RolloutLogic
  try {
    const upSelector = options.upSelector === 'off' ? false : options.upSelector
    fleet = createFleetRolloutLogic({
      source: prometheusMetricSource({
        url: options.prometheus,
        ...(options.matchers !== undefined && { matchers: options.matchers }),
        ...(upSelector !== undefined && { upSelector }),
      }),
      // Two scrapes (15 s apart by default) or two missed checks make metrics stale; an outage
      // is alerted after a minute or 12 checks.
      maxAgeMs: options.maxAge ?? Math.max(30_000, options.interval * 2),
      graceMs: options.grace ?? Math.max(60_000, options.interval * 12),
    })
  } catch (error) {
    warn(`error: ${isFlagsError(error) ? error.message : String(error)}`)
    return EXIT_USAGE
  }
  // Every judgement, not only the actions: an operator watching the process sees why it waits.
  const logic: RolloutLogic = {
    ...fleet,
    step(state, now) {
      const result = fleet.step(state, now)
      const { kind, reason } = result.decision
      say(`${new Date(now).toISOString()}  ${state.flagKey}  ${kind}  ${reason}`)
      return result
    },
  }
  const ttl = options.leaseTtl ?? Math.max(15_000, options.interval * 3)
  if (ttl < options.interval * 2) {
    warn('error: --lease-ttl must be at least two --interval')
    return EXIT_USAGE
  }
  const lease =
    options.lease === undefined ? undefined : createGuardLease(resolve(io.cwd, options.lease), ttl)
  const stopped = untilSignal()
  if (lease !== undefined && !(await standBy(lease, options.interval, stopped, say))) {
    say('guard stopped')
    return EXIT_OK
  }
  const guard = createRolloutGuard({
    file: path,
    logic,
    checkIntervalMs: options.interval,
    ...(options.audit !== undefined && { audit: { file: resolve(io.cwd, options.audit) } }),
    ...(options.webhook !== undefined && { alerts: { webhook: { url: options.webhook } } }),
    // Alerts are logged by level too: a human watching stderr sees every one of them.
    logger: {
      info: (m) => warn(`info: ${m}`),
      warn: (m) => warn(`warning: ${m}`),
      error: (m) => warn(`error: ${m}`),
    },
  })
  say(`guarding ${file}: metrics from ${options.prometheus}, every ${options.interval} ms`)
  const lost =
    lease === undefined
      ? new Promise<never>(() => undefined)
      : leaseLost(lease, options.interval, stopped, warn)
  const holder = await Promise.race([stopped.then(() => undefined), lost])
  await guard.close()
  if (holder !== undefined) {
    warn(`error: lost the lease to ${holder}; stopping`)
    return EXIT_FAILED
  }
  await lease?.release()
  say('guard stopped')
  return EXIT_OK
}

/** Waits until this process holds the lease (true) or a signal came first (false). */
async function standBy(
  lease: GuardLease,
  interval: number,
  stopped: Promise<void>,
  say: (line: string) => void,
): Promise<boolean> {
  let signalled = false
  void stopped.then(() => (signalled = true))
  let told = false
  while (!signalled) {
    const holder = await lease.acquire(Date.now())
    if (holder?.owner === lease.owner) return true
    if (!told && holder !== undefined) {
      say(`standby: the lease is held by ${holder.owner}`)
      told = true
    }
    await pause(interval, stopped)
  }
  return false
}

/** Renews the lease every interval; resolves with the new holder if another guard took it. */
async function leaseLost(
  lease: GuardLease,
  interval: number,
  stopped: Promise<void>,
  warn: (line: string) => void,
): Promise<string | undefined> {
  let signalled = false
  void stopped.then(() => (signalled = true))
  while (!signalled) {
    await pause(interval, stopped)
    if (signalled) break
    try {
      const holder = await lease.acquire(Date.now())
      if (holder !== undefined && holder.owner !== lease.owner) return holder.owner
    } catch (error) {
      warn(
        `warning: could not renew the lease: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  }
  return undefined
}

/** Waits `ms`, or less if a signal comes; the timer keeps a standby process alive. */
function pause(ms: number, stopped: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const slept = new Promise<void>((done) => (timer = setTimeout(done, ms)))
  return Promise.race([slept, stopped]).finally(() => clearTimeout(timer))
}

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      done()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 }

/** `5s`, `500ms`, `1m` (or plain milliseconds) → milliseconds, at least 100. */
function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  const ms = match === null ? NaN : Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? NaN)
  if (!Number.isFinite(ms) || ms < 100) {
    throw new InvalidArgumentError('must be a duration of at least 100ms, e.g. 5s, 500ms, 1m')
  }
  return Math.round(ms)
}
