import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@canarykit/source'] },
  ssr: { resolve: { conditions: ['@canarykit/source'] } },
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
})
