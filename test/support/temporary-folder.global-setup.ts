import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Set while a test run's temporary folder exists, so that the second project's setup shares it. */
const RUN_FOLDER_VARIABLE = 'SPOTIFY_PIPELINE_TEST_TMPDIR';

/**
 * Gives the test run a temporary folder of its own, as TMPDIR for every worker and every process
 * the tests start, and removes it at the end: the tests' warehouses, lakes and bundles would
 * otherwise pile up in the machine's /tmp run after run. Both projects list it first; the first to
 * run makes the folder and the other shares it (a folder inside the folder would make Chromium's
 * socket path longer than Unix allows). Listed first, so that its teardown runs after the other
 * setups' (services stopped, then their files removed).
 */
export default function setupTemporaryFolder(): () => void {
  if (process.env[RUN_FOLDER_VARIABLE] !== undefined) return () => undefined;
  const folder = mkdtempSync(join(tmpdir(), 'sp-tests-'));
  process.env[RUN_FOLDER_VARIABLE] = folder;
  process.env.TMPDIR = folder;
  return () => {
    rmSync(folder, { recursive: true, force: true });
    delete process.env[RUN_FOLDER_VARIABLE];
  };
}
