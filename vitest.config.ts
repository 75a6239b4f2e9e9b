import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests only; the end-to-end suite runs the built extension in Chromium (vitest.e2e.config.ts, test/e2e/).
export default defineConfig({
  // The `@/…` imports of components and entrypoints (WXT's alias for the project root).
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '') } },
  test: {
    include: ['lib/**/*.test.ts', 'lib/**/*.test.tsx', 'test/**/*.test.ts', 'components/**/*.test.tsx', 'entrypoints/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
