import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@canarykit/source'] },
  ssr: { resolve: { conditions: ['@canarykit/source'] } },
  // A ceiling for a loaded 2-core CI machine; tests bound their own waits.
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
