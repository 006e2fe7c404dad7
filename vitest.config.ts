import { defineConfig } from 'vitest/config'

// Three speeds: tests/unit (pure functions), tests/render (Marp render, DOM queries),
// tests/browser (real Chromium, real files, real servers). `npm test` runs them all;
// `npx vitest run tests/unit` runs one speed.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The load test runs alone afterwards (vitest.load.config.ts).
    exclude: ['tests/load/**', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: browser tests launch Chromium, more than two files at once only thrashes.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
})
