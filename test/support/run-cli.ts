import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repositoryRoot } from '../../local/tooling/cache-dir.js';

/** What one run of the `spotify-pipeline` command printed and how it exited. */
export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `spotify-pipeline <args>` as a separate process, exactly as a user would (through the tsx
 * shim), so that detached services, exit codes and output streams are the real ones.
 */
export function runSpotifyPipeline(
  args: readonly string[],
  environment: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(repositoryRoot, 'bin', 'spotify-pipeline.mjs'), ...args],
      {
        cwd: repositoryRoot,
        // The AWS SDK's notice about future Node versions is not what these tests read.
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...environment },
        maxBuffer: 4 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ exitCode: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}
