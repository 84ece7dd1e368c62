import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    // An unhandled rejection or uncaught exception anywhere in a test run
    // fails the run (vitest's default, pinned here so it is never flipped).
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
