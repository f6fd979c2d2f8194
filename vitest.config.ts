import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    // Two cores: two test files at a time, each with its own databases.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', ['json', { outputFile: 'reports/test-results.json' }]],
    // The contract summary prints how much of the OpenAPI document the suite's responses exercised;
    // the run record notes what the run ran on, beside the JSON results, for `npm run validation-report`.
    globalSetup: ['tests/support/contract-summary.ts', 'tests/support/run-record.ts'],
  },
});
