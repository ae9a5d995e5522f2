import { type ChildProcess, spawn } from 'node:child_process';

/** What {@link probeDocker} found out about Docker on this machine. */
export interface DockerProbe {
  /** `answers`: `docker info` reached a Docker engine. `unavailable`: no `docker`, no engine, or no answer in time. */
  readonly engine: 'answers' | 'unavailable';
  /** `available`: `docker compose version` works (the Compose v2 plugin is installed). */
  readonly compose: 'available' | 'unavailable';
  /** Why not, for messages: `docker info failed: Cannot connect to the Docker daemon ...`. Empty when both work. */
  readonly detail: string;
}

/** Options of {@link probeDocker}. */
export interface DockerProbeOptions {
  /**
   * The Docker command line program.
   * @default 'docker', found on the PATH
   */
  readonly dockerCommand?: string;
  /**
   * How long each question may take before it counts as "no". `docker info` against a stopped
   * Docker Desktop or an unreachable DOCKER_HOST can otherwise wait for a long time.
   * @default 3_000 ms
   */
  readonly timeoutMs?: number;
}

/**
 * Asks, in parallel and each within a deadline, whether a Docker engine answers (`docker info`) and
 * whether `docker compose` is installed. Never rejects and never waits past the deadline: a missing
 * `docker`, a stopped daemon and a hung one all come back as `unavailable`, with the reason.
 */
export async function probeDocker(options: DockerProbeOptions = {}): Promise<DockerProbe> {
  const docker = options.dockerCommand ?? 'docker';
  const timeoutMs = options.timeoutMs ?? 3_000;
  const [info, compose] = await Promise.all([
    runWithDeadline(docker, ['info', '--format', '{{.ServerVersion}}'], timeoutMs),
    runWithDeadline(docker, ['compose', 'version', '--short'], timeoutMs),
  ]);
  const details = [
    ...(info.answered ? [] : [`docker info ${info.failure}`]),
    ...(compose.answered ? [] : [`docker compose version ${compose.failure}`]),
  ];
  return {
    engine: info.answered ? 'answers' : 'unavailable',
    compose: compose.answered ? 'available' : 'unavailable',
    // Once `docker` itself is missing, saying so twice helps nobody.
    detail: info.missing ? `${docker} is not installed (not found on the PATH)` : details.join('; '),
  };
}

interface CommandOutcome {
  /** Exited with status 0 within the deadline. */
  readonly answered: boolean;
  /** The program was not found. */
  readonly missing: boolean;
  /** How it failed, for messages: `failed: <its first line of output>`, `did not answer within 3 s`. */
  readonly failure: string;
}

function runWithDeadline(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    let output = '';
    let child: ChildProcess | undefined;
    const finish = (outcome: CommandOutcome) => {
      clearTimeout(deadline);
      // Whatever still holds the pipes (a helper the program started) must not keep Node alive.
      child?.stdout?.destroy();
      child?.stderr?.destroy();
      child?.unref();
      resolve(outcome);
    };
    const deadline = setTimeout(() => {
      // The program leads its own process group (detached), so its helpers end with it.
      if (child?.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // It ended just now: nothing left to stop.
        }
      }
      finish({ answered: false, missing: false, failure: `did not answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('error', (error: NodeJS.ErrnoException) =>
      finish({
        answered: false,
        missing: error.code === 'ENOENT',
        failure: `could not run: ${error.message}`,
      }),
    );
    child.once('close', (code, signal) => {
      const firstLine = output.trim().split('\n')[0] ?? '';
      const status = signal ? `was killed by ${signal}` : `exited with ${code}`;
      finish({
        answered: code === 0,
        missing: false,
        failure: firstLine === '' ? `failed (${status})` : `failed: ${firstLine}`,
      });
    });
  });
}
