import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the test run a temporary folder of its own, as TMPDIR for every worker and every process
 * the tests start, and removes it at the end: the tests' warehouses, lakes and bundles would
 * otherwise pile up in the machine's /tmp run after run. Listed first, so that its teardown runs
 * after the other setups' (services stopped, then their files removed).
 */
export default function setupTemporaryFolder(): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'spotify-pipeline-tests-'));
  process.env.TMPDIR = folder;
  return () => rmSync(folder, { recursive: true, force: true });
}
