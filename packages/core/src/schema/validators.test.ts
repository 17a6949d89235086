import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
// @ts-expect-error -- a plain .mjs build script without types
import { generateValidators } from '../../scripts/generate-schema-validators.mjs'

it('the committed validators match the vendored schemas (run scripts/generate-schema-validators.mjs)', () => {
  const committed = readFileSync(
    fileURLToPath(new URL('validators.generated.ts', import.meta.url)),
    'utf8',
  )
  expect((generateValidators as () => string)()).toBe(committed)
})
