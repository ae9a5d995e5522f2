import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects, so that only the tests that need real services pay for them:
 * - `unit`: pure code, no network; `vitest run --project unit` never starts a service.
 * - `integration` (`*.integration.test.ts`): talks to a real Kafka broker and a real S3 server,
 *   which its global setup starts once per run (or reuses when they already answer, e.g. after
 *   `spotify-pipeline local up`) and stops at the end only if it started them.
 * A project split rather than one global setup for all files: Vitest runs a project's global setup
 * only when that project has files to run, so a unit-only run costs nothing and needs no Java.
 */
export default defineConfig({
  test: {
    // The AWS SDK warns on Node 20 about its releases after January 2027; the project's Node version
    // is decided in package.json, and the notice would fill every test's output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/**/*.integration.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.integration.test.ts'],
          globalSetup: ['test/support/local-services.global-setup.ts'],
          // Starting a second broker for the lifecycle test takes seconds on two cores.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
