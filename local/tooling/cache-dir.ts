import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file's own location so that any working directory works. */
export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The git-ignored folder where the project's own scripts install what the local stack and the tests
 * need (Kafka jars, Python virtual environments, service data). `SPOTIFY_PIPELINE_CACHE` moves it.
 */
export function cacheDir(...parts: string[]): string {
  const root = process.env.SPOTIFY_PIPELINE_CACHE ?? join(repositoryRoot, '.cache');
  const dir = join(root, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
