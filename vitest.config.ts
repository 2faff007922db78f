import { defineConfig } from 'vitest/config'

// Integration tests start real kubectl processes and sandboxes; keep parallelism at the
// machine's size (2 cores) and give them time, but no unit test relies on wall-clock speed.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The JSON report feeds the one-line summary that .ci/run prints last.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]]
  }
})
