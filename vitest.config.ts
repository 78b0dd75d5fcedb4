import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Rebuilds out/ when stale, so tests that fork the built worker/CLI run fresh code.
    globalSetup: ['scripts/test/vitest-global-setup.ts'],
    passWithNoTests: true,
  },
});
