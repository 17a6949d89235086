/*
 * Run as a child process by create-canary.test.ts: uses a canary with every part switched on,
 * closes it, and then must exit by itself. Anything left open (a timer, a watcher, a socket)
 * keeps the process alive and the test fails on its time bound.
 */
import { createCanary } from '../create-canary.js'
import { FLAG, listen, session, tempFlags, text, webhookReceiver } from './harness.js'

const tmp = await tempFlags()
const webhook = await webhookReceiver()
const canary = await createCanary({ flagsFile: tmp.file, alerts: { webhook: webhook.url } })
const metrics = await listen(canary.metricsHandler)
const search = canary.tool({
  flag: FLAG,
  variants: { stable: () => text('v1'), canary: () => text('v2') },
})
await canary.rollout(FLAG)
await session(search, 'probe', 3)
await fetch(metrics.url).then((response) => response.text())
await canary.close()
await metrics.close()
await webhook.close()
await tmp.remove()
console.log(`closed after ${webhook.bodies.length} webhook alert(s)`)
