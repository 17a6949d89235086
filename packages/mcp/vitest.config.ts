import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@canarykit/source'] },
  ssr: { resolve: { conditions: ['@canarykit/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Runs the `*.test-d.ts` type tests (expectTypeOf) with tsc alongside the runtime tests.
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
})
