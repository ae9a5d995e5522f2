import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensurePythonTool } from './python-tool.js';

const run = promisify(execFile);

/**
 * docker-compose 1.29.2 from PyPI: the same program Debian 12 packages as `docker-compose`, and one
 * that renders and validates a compose file without a Docker engine (`config`), so the check runs
 * on any machine with python3. Pinned around it:
 * - PyYAML 5.3.1: docker-compose wants PyYAML below 6, and 5.4.1's build needs a Cython older than 3,
 *   which pip's isolated build does not pick; 5.3.1 builds without Cython.
 * - docker and jsonschema: the versions this check was proven with (jsonschema decides what is valid).
 */
export const DOCKER_COMPOSE_CHECKER = {
  name: 'docker-compose',
  requirements: ['docker-compose==1.29.2', 'PyYAML==5.3.1', 'docker==7.2.0', 'jsonschema==3.2.0'],
} as const;

/** A compose file as docker-compose rendered it, or its reason for refusing the file. */
export type ComposeFileRendering =
  | { readonly valid: true; readonly config: RenderedComposeConfig }
  | { readonly valid: false; readonly error: string };

/** The parts of a rendered compose file that this project's tests read. */
export interface RenderedComposeConfig {
  readonly services: Readonly<Record<string, RenderedComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

export interface RenderedComposeService {
  readonly image?: string;
  readonly command?: readonly string[];
  readonly profiles?: readonly string[];
  /** `127.0.0.1:9092:19092/tcp`: docker-compose 1.29 renders every mapping as one string. */
  readonly ports?: readonly string[];
  /** `redpanda-data:/var/lib/redpanda/data:rw`. */
  readonly volumes?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly healthcheck?: { readonly test?: readonly string[]; readonly [setting: string]: unknown };
  readonly depends_on?: Readonly<Record<string, { readonly condition?: string }>>;
}

/** Options of {@link renderComposeFile}. */
export interface RenderComposeFileOptions {
  /**
   * Profiles to enable (`--profile`). docker-compose's `config` lists every service whatever the
   * profiles; they matter for what `up` would start, not for validity.
   * @default - none
   */
  readonly profiles?: readonly string[];
  /**
   * The only variables the file's `${...}` references can see (besides PATH), so that a rendering
   * does not depend on the environment the check happens to run in.
   * @default - none: every reference takes its default
   */
  readonly variables?: Readonly<Record<string, string>>;
}

/**
 * Renders `composeFile` with docker-compose 1.29.2 `config`, installing it into `.cache/venvs/` on
 * first use (needs python3 with venv and the Python package index). Resolves with the rendered file,
 * or with docker-compose's error when it refuses the file; rejects only when the checker cannot run.
 */
export async function renderComposeFile(
  composeFile: string,
  options: RenderComposeFileOptions = {},
): Promise<ComposeFileRendering> {
  const bin = await ensurePythonTool(DOCKER_COMPOSE_CHECKER);
  const script = join(import.meta.dirname, 'render_compose_config.py');
  const { stdout } = await run(join(bin, 'python'), [script, composeFile, ...(options.profiles ?? [])], {
    env: { PATH: process.env.PATH ?? '', ...options.variables },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as ComposeFileRendering;
}
