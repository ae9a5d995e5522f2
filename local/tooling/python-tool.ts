import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir } from './cache-dir.js';

const run = promisify(execFile);

/** A Python command-line tool installed from PyPI into a virtual environment of its own. */
export interface PythonTool {
  /** Folder name under `.cache/venvs/`. */
  readonly name: string;
  /** pip requirement specifiers, pinned (`moto[server]==5.1.0`). */
  readonly requirements: readonly string[];
}

/**
 * Installs the tool once (cached; reinstalled only when its requirements change) and returns the
 * virtual environment's `bin` folder. Needs `python3` with the `venv` module on the PATH.
 */
export async function ensurePythonTool(tool: PythonTool): Promise<string> {
  const venv = cacheDir('venvs', tool.name);
  const bin = join(venv, 'bin');
  const stamp = join(venv, '.requirements');
  const wanted = tool.requirements.join('\n');
  if (existsSync(join(bin, 'python')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted)
    return bin;

  try {
    await run('python3', ['-m', 'venv', '--clear', venv]);
    await run(
      join(bin, 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...tool.requirements],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(
      `could not install the Python tool "${tool.name}" (${tool.requirements.join(', ')}) into ${venv}: ${detail}\n` +
        'It needs python3 with the venv module (Debian: apt-get install python3-venv) and access to the Python package index.',
    );
  }
  writeFileSync(stamp, wanted);
  return bin;
}
