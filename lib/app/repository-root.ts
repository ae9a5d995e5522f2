import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, where the runtime code (`lambdas/`), the lock file and the producer's
 * Docker build context live. Found from this file's location, so synth works from any directory.
 */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
