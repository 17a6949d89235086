import { run as runCli } from '@canarykit/cli'
import type { DemoOptions } from './demo-options.js'
import { auditRecords, flagsExcerpt, type DemoFiles } from './flags-setup.js'
import type { LiveView } from './live-view.js'
import type { McpHttpServer } from './mcp-http-server.js'
import type { WebhookReceiver } from './webhook-receiver.js'

/*
 * What the demo prints besides the live view: the setup, the evidence of the rollback as the
 * on-call would look for it, and the summary.
 */

/** The plan and criteria the intro explains. */
export interface Setup {
  readonly stages: readonly number[]
  readonly minSessionsPerVariant: number
  readonly minCallsPerVariant: number
}

/** How the two releases ended, and how long each took. */
export interface Outcomes {
  readonly completed: boolean
  readonly rolledBack: boolean
  readonly seconds: number
  readonly releaseSeconds: readonly number[]
  readonly files: DemoFiles
}

export function printIntro(
  view: LiveView,
  { seed, pace }: DemoOptions,
  setup: Setup,
  urls: {
    readonly server: McpHttpServer
    readonly webhook: WebhookReceiver
    readonly files: DemoFiles
  },
): void {
  const { server, webhook, files } = urls
  const s = view.style
  const stages = setup.stages.map((p) => `${p} %`).join(' → ')
  view.print(s.bold(`canarykit demo · seed ${seed} · ${pace.name} pace`))
  view.print(`  MCP server  ${server.url}  (Streamable HTTP, one McpServer per session)`)
  view.print(`  metrics     ${server.metricsUrl}`)
  view.print(`  webhook     ${webhook.url}  (a local stand-in for Slack)`)
  view.print(`  flags file  ${files.flagsFile}`)
  view.print(
    `  plan        ${stages}, ${pace.dwellS} s per stage (the default plan: 10, 30, 60 min)`,
  )
  view.print(
    `  criteria    the defaults (canary p99 within +10 % of the baseline's, errors within +0.5 pp,
              anytime-valid at α = 0.05) with a demo-sized minimum sample: ${setup.minSessionsPerVariant} sessions and
              ${setup.minCallsPerVariant} calls per variant (default 5 and 50), so that a 1 % stage can be judged within
              seconds. Too little data proves little: a stage goes on when nothing fails, and
              50 % → 100 % waits until every criterion is shown within its limit.`,
  )
}

export async function printEvidence(
  view: LiveView,
  webhook: WebhookReceiver,
  files: DemoFiles,
): Promise<void> {
  const s = view.style
  const flagKey = 'search-v3'
  // The webhook and the audit log are written in the background: give them a moment.
  for (let i = 0; i < 50; i++) {
    const delivered = webhook.received.some((m) => m.canarykit.kind === 'rollback')
    if (delivered && (await auditRecords(files.auditFile, flagKey, 'rollback')).length > 0) break
    await sleep(100)
  }
  view.print('')
  view.print(s.bold('── the rollback, as the on-call sees it ─────────────────────────────'))
  const alert = webhook.received.find((m) => m.canarykit.kind === 'rollback')
  view.print(`alert received by the webhook (${webhook.url}):`)
  view.print(`  ${alert?.text ?? s.red('(none received)')}`)
  const [record] = (await auditRecords(files.auditFile, flagKey, 'rollback')).slice(-1)
  view.print(`audit record (${files.auditFile}):`)
  if (record === undefined) view.print(s.red('  (none written)'))
  else {
    const { numbers: _numbers, ...rest } = record
    view.print(indent(JSON.stringify(rest, null, 2)))
  }
  view.print(`the flags file now (${files.flagsFile}), the part about ${flagKey}:`)
  view.print(indent(await flagsExcerpt(files.flagsFile, flagKey)))
  view.print(`$ canarykit status ${files.flagsFile}`)
  let status = ''
  await runCli(['status', files.flagsFile], {
    stdout: { write: (chunk) => ((status += chunk), true) },
    stderr: { write: (chunk) => ((status += chunk), true) },
  })
  view.print(indent(status.trimEnd()))
}

export function printSummary(view: LiveView, result: Outcomes): void {
  const s = view.style
  view.print('')
  view.print(s.bold('── summary ─────────────────────────────────────────────────────────'))
  const line = (ok: boolean, text: string): string =>
    ok ? s.green(`✓ ${text}`) : s.red(`✗ ${text}`)
  const took = (i: number): string => `in ${(result.releaseSeconds[i] ?? 0).toFixed(1)} s`
  view.print(
    line(
      result.completed,
      `search-v2 (healthy v2): the guard walked it 1 % → 10 % → 50 % → 100 % and completed it ${took(0)}`,
    ),
  )
  view.print(
    line(
      result.rolledBack,
      `search-v3 (v3 with a regression): the guard rolled it back by itself ${took(1)}`,
    ),
  )
  const both = result.completed && result.rolledBack
  view.print(
    both
      ? s.green(`both outcomes happened in ${result.seconds.toFixed(1)} s`)
      : s.red(`an expected outcome did not happen (${result.seconds.toFixed(1)} s)`),
  )
  view.print(`inspect: pnpm canarykit status ${result.files.flagsFile}`)
}

export async function serveUntilInterrupted(view: LiveView, server: McpHttpServer): Promise<void> {
  view.print('')
  view.print(view.style.bold(`serving until Ctrl-C: ${server.url}`))
  view.print(
    `  npx @modelcontextprotocol/inspector  → transport "Streamable HTTP", URL ${server.url}`,
  )
  view.print(`  metrics: ${server.metricsUrl}`)
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()))
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
