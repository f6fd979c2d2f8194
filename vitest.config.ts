import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    // Two cores: two test files at a time, each with its own databases.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // The JSON results and a record of what the run ran on feed `npm run validation-report`.
    globalSetup: ['tests/support/run-record.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/test-results.json' }]],
  },
});
