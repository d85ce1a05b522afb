// Runs the fixture's own smoke test alone (to be folded into the main config as part of the e2e
// project): npx vitest run --root . --config test/e2e/vitest.fixture.config.ts test/e2e/fixture.test.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
