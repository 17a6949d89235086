/*
 * `pnpm demo`: a real MCP server canarying its `search` tool, end to end. Exits 0 only if the
 * healthy release completed and the regressing one was rolled back by the guard.
 */
import { parseDemoOptions, USAGE, type DemoOptions } from './demo-options.js'
import { runDemo } from './run-demo.js'

let options: DemoOptions | 'help'
try {
  options = parseDemoOptions(process.argv.slice(2))
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
  process.exit(2)
}
if (options === 'help') {
  console.log(USAGE)
  process.exit(0)
}

const tty = process.stdout.isTTY && !options.plain
const result = await runDemo(options, {
  write: (text) => process.stdout.write(text),
  tty,
  columns: () => process.stdout.columns,
})
process.exitCode = result.completed && result.rolledBack ? 0 : 1
// Everything is closed by now, so the process ends by itself; should anything linger, say so.
setTimeout(() => {
  console.error('warning: something kept the process alive after the demo closed; exiting')
  process.exit()
}, 5000).unref()
