import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests see a machine set to UTC and US English, whatever this one is set to: Node takes its
// default language from the environment when it starts, so the test workers are started with it.
// A test about another zone or language says so (test/time-zone.ts; a process of its own for a language).
process.env.TZ = 'UTC';
process.env.LC_ALL = 'en_US.UTF-8';

// Unit tests only; the end-to-end suite runs the built extension in Chromium (vitest.e2e.config.ts, test/e2e/).
export default defineConfig({
  // The `@/…` imports of components and entrypoints (WXT's alias for the project root).
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '') } },
  test: {
    include: ['lib/**/*.test.ts', 'lib/**/*.test.tsx', 'test/**/*.test.ts', 'components/**/*.test.tsx', 'entrypoints/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    // What Chrome 140, the manifest's minimum, has and the fake browser lacks.
    setupFiles: ['test/fake-browser-setup.ts'],
    testTimeout: 30_000,
    // A worker per core: Vitest's default leaves one core to its main process, which only waits for results,
    // so on these two-core machines the suite ran in one worker (about 6 min; 4 min with two).
    maxWorkers: availableParallelism(),
  },
});
