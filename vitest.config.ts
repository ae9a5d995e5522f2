import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects, so that only the tests that need real services pay for them:
 * - `unit`: pure code, no network; `vitest run --project unit` never starts a service. Both
 *   projects first install (once, into .cache/) the Node.js lines the tests run the deployed
 *   bundles and the command-line tool on (node-binaries.global-setup.ts).
 * - `integration` (`*.integration.test.ts`): talks to a real Kafka broker and a real S3 server,
 *   which its global setup starts once per run (or reuses when they already answer, e.g. after
 *   `spotify-pipeline local up`) and stops at the end only if it started them.
 * A project split rather than one global setup for all files: Vitest runs a project's global setup
 * only when that project has files to run, so a unit-only run costs nothing and needs no Java.
 */
export default defineConfig({
  test: {
    // The AWS SDK warns on Node 20 (this test runner's Node, on some machines) about its releases
    // after January 2027; the code under test runs on the Node lines the global setup installs.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/**/*.integration.test.ts'],
          globalSetup: [
            'test/support/temporary-folder.global-setup.ts',
            'test/support/node-binaries.global-setup.ts',
          ],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.integration.test.ts'],
          globalSetup: [
            'test/support/temporary-folder.global-setup.ts',
            'test/support/node-binaries.global-setup.ts',
            'test/support/local-services.global-setup.ts',
          ],
          // Starting a second broker for the lifecycle test takes seconds on two cores.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
