import { defineConfig } from 'vitest/config'

// The load test (tests/load): it keeps every core busy for a minute, which would slow any test
// running beside it, so `npm test` runs it alone, after the other tests.
export default defineConfig({
  test: {
    include: ['tests/load/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    minWorkers: 1,
  },
})
