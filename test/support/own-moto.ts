import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { motoServerTool } from '../../local/services/s3-server.js';
import { ensurePythonTool } from '../../local/tooling/python-tool.js';

/** The folder of the Python modules a harness may load into its moto (see test/support/moto/). */
const MOTO_PATCHES = fileURLToPath(new URL('./moto/', import.meta.url));

/** A moto server a test harness started for itself, apart from the local services' one. */
export interface OwnMoto {
  readonly endpoint: string;
  readonly process: ChildProcess;
  /** Every line moto wrote to stderr, to read what a patch reported. */
  readonly stderrLines: readonly string[];
  stop(): void;
}

/**
 * Starts moto's server on `port` with `environment` added to this process's, after importing
 * `patches` (module names under test/support/moto/), and waits until it answers.
 */
export async function startOwnMoto(options: {
  readonly port: number;
  readonly patches: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
}): Promise<OwnMoto> {
  const bin = await ensurePythonTool(motoServerTool);
  const moto = spawn(
    join(bin, 'python'),
    [
      '-c',
      'import sys, importlib; sys.path.insert(0, sys.argv[1]); [importlib.import_module(name) for name in sys.argv[2].split(",") if name]; from moto.server import main; main(sys.argv[3:])',
      MOTO_PATCHES,
      options.patches.join(','),
      '-H',
      '127.0.0.1',
      '-p',
      String(options.port),
    ],
    { env: { ...process.env, ...options.environment }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderrLines: string[] = [];
  let partial = '';
  moto.stderr?.on('data', (chunk) => {
    const lines = `${partial}${chunk}`.split('\n');
    partial = lines.pop() ?? '';
    stderrLines.push(...lines);
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  for (
    let waited = 0;
    (await fetch(`${endpoint}/moto-api/`).catch(() => undefined))?.ok !== true;
    waited += 200
  ) {
    if (waited > 30_000 || moto.exitCode !== null) {
      moto.kill('SIGKILL');
      throw new Error(`moto did not answer on ${endpoint}: ${stderrLines.slice(-40).join('\n')}${partial}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { endpoint, process: moto, stderrLines, stop: () => moto.kill('SIGTERM') };
}
