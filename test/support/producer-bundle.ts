import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../../local/tooling/cache-dir.js';

/**
 * The producer's one-file bundle, built by the script the Dockerfile runs (package.json,
 * build:producer), copied out of the repository as the image holds it: returns its path.
 */
export function buildProducerImageBundle(): string {
  execFileSync('npm', ['run', '--silent', 'build:producer'], { cwd: repositoryRoot, stdio: 'ignore' });
  const bundle = join(mkdtempSync(join(tmpdir(), 'producer-image-')), 'producer.mjs');
  copyFileSync(join(repositoryRoot, 'dist', 'producer.mjs'), bundle);
  return bundle;
}
