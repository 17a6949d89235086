import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const exampleDir = fileURLToPath(new URL('..', import.meta.url))
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url))

it('runs the README snippet and prints a deterministic resolution', () => {
  const output = execFileSync(tsx, ['--conditions=@canarykit/source', 'src/main.ts'], {
    cwd: exampleDir,
    encoding: 'utf8',
  })
  // session-42 falls outside the 10 % slice of "new-search" (flagd fractional v2 bucketing).
  expect(output.trim()).toBe('new-search=false variant=off reason=TARGETING_MATCH')
})
