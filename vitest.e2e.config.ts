import { defineConfig } from 'vitest/config';

// End-to-end: the built extension in real headless Chromium against the demo CRM.
// One file at a time: each launches its own browser, and the machines have two cores.
// A real browser on a shared two-core machine needs more than Vitest's 1 s default to
// show a change; polls still fail the moment their condition is wrong at the deadline.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    expect: { poll: { timeout: 10_000, interval: 100 } },
  },
});
