import type { Logger } from '@canarykit/core'
import type { Alert, AlertLevel } from '../actions/alert.js'
import { webhookBody } from '../actions/alert.js'
import {
  createWebhookSender,
  type WebhookOptions,
  type WebhookStats,
} from '../actions/webhook-sender.js'

/**
 * Where alerts go.
 *
 * @example
 * alerts: { onAlert: (a) => pager.notify(a.text), webhook: { url: process.env.SLACK_WEBHOOK ?? '', minLevel: 'warning' } }
 */
export interface AlertsOptions {
  /** Called synchronously with every alert; exceptions are logged and ignored. */
  readonly onAlert?: (alert: Alert) => void
  /** POSTed as JSON (Slack-compatible), queued and retried in the background. */
  readonly webhook?: WebhookOptions & {
    /** Alerts below this level are not POSTed. Default `info` (everything). */
    readonly minLevel?: AlertLevel
  }
}

const RANK: Record<AlertLevel, number> = { info: 0, warning: 1, critical: 2 }

/** Sends alerts to the callback and the webhook; `once` suppresses repeats of one condition. */
export interface AlertDispatcher {
  emit(alert: Alert): void
  /** Emits unless an alert with this key was emitted since the key was last cleared. */
  once(key: string, alert: Alert): void
  /** Forgets keys starting with `prefix`, so the condition alerts again if it comes back. */
  clear(prefix: string): void
  close(timeoutMs: number): Promise<WebhookStats | undefined>
}

/**
 * Creates the alert fan-out. Nothing here blocks or throws into the caller.
 *
 * @internal
 */
export function createAlertDispatcher(options: AlertsOptions, logger: Logger): AlertDispatcher {
  const { onAlert, webhook } = options
  const sender = webhook === undefined ? undefined : createWebhookSender(webhook, logger)
  const minRank = RANK[webhook?.minLevel ?? 'info']
  const sent = new Set<string>()

  function emit(alert: Alert): void {
    if (alert.level === 'critical') logger.error?.(alert.text)
    else if (alert.level === 'warning') logger.warn?.(alert.text)
    else logger.info?.(alert.text)
    try {
      onAlert?.(alert)
    } catch (error) {
      logger.error?.(`onAlert threw: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (sender !== undefined && RANK[alert.level] >= minRank) sender.send(webhookBody(alert))
  }

  return {
    emit,
    once(key, alert) {
      if (sent.has(key)) return
      sent.add(key)
      emit(alert)
    },
    clear(prefix) {
      for (const key of sent) if (key.startsWith(prefix)) sent.delete(key)
    },
    close: async (timeoutMs) => sender?.close(timeoutMs),
  }
}
