import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { repositoryRoot } from '../../local/tooling/cache-dir.js';

export const CLI_PATH = fileURLToPath(new URL('../../bin/spotify-pipeline.mjs', import.meta.url));

/** What one run of the `spotify-pipeline` command printed and how it exited. */
export interface CliRun {
  /** Null when a signal ended it. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `spotify-pipeline <args>` as a separate process, exactly as a user would (through the tsx
 * shim), so that detached services, exit codes and output streams are the real ones; on the oldest
 * Node.js line the tool supports.
 */
export function runCli(args: readonly string[], environment: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(inject('cliNode'), [CLI_PATH, ...args], {
      cwd: repositoryRoot,
      env: { ...process.env, ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (exitCode) =>
      resolve({
        exitCode,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

/**
 * The arguments of a `spotify-pipeline` command that works on a lake in the local S3 server and a
 * DuckDB warehouse file (`load`, `run`), then `extra`.
 */
export function lakeCommandLine(
  command: 'load' | 'run',
  lake: { readonly bucket: string; readonly s3Endpoint: string },
  warehousePath: string,
  extra: readonly string[] = [],
): string[] {
  return [
    command,
    '--bucket',
    lake.bucket,
    '--s3-endpoint',
    lake.s3Endpoint,
    '--warehouse',
    `duckdb:${warehousePath}`,
    ...extra,
  ];
}
