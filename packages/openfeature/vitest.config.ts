import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@canarykit/source'] },
  ssr: { resolve: { conditions: ['@canarykit/source'] } },
  // Waits inside tests are bounded (5 s per awaited event); this only covers a loaded CI machine.
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 30_000 },
})
