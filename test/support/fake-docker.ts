import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How a fake `docker` behaves. */
export type FakeDockerBehaviour =
  /** `docker info` fails as it does when the daemon is down; `docker compose version` works. */
  | 'daemon-down'
  /** Every command waits far longer than any probe's deadline. */
  | 'hangs'
  /**
   * An engine and Compose answer; `compose ... ps` lists redpanda and minio as running, and
   * `compose ... up` fails as it does when a port is taken.
   */
  | 'engine-with-taken-port';

/** A folder holding a `docker` program that behaves as told and records each call. */
export interface FakeDocker {
  /** The folder, to put first on the PATH. */
  readonly binDir: string;
  /** The `docker` program itself. */
  readonly command: string;
  /** Each call: its arguments, then the port variables it saw, as `KAFKA=<port> S3=<port>`. */
  calls(): string[];
  /** With `hangs`: the process group of each call (the calls lead their own groups). */
  processGroups(): number[];
  remove(): void;
}

const scripts: Record<FakeDockerBehaviour, string> = {
  'daemon-down': `case "$1" in
  info) echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1 ;;
  compose) echo "2.29.7" ;;
esac`,
  // A helper that holds the output pipes, as a real hung client's might: the probe must end the
  // whole process group (recorded in group-leaders.log) and not wait for the pipes to close.
  hangs: `echo $$ >> "$(dirname "$0")/group-leaders.log"
sleep 60 &
wait`,
  'engine-with-taken-port': `case "$1" in
  info) echo "28.2.2" ;;
  compose)
    case "$*" in
      "compose version --short") echo "2.29.7" ;;
      *" ps "*) printf 'redpanda\\nminio\\nconsole\\n' ;;
      *" up "*) echo "Error response from daemon: Bind for 127.0.0.1:9092 failed: port is already allocated" >&2; exit 1 ;;
    esac ;;
esac`,
};

/** Writes a fake `docker` into a new temporary folder. */
export function aFakeDocker(behaviour: FakeDockerBehaviour): FakeDocker {
  const binDir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const command = join(binDir, 'docker');
  const callLog = join(binDir, 'calls.log');
  writeFileSync(
    command,
    `#!/bin/sh
printf '%s\\n' "$*" >> '${callLog}'
printf 'KAFKA=%s S3=%s\\n' "$SPOTIFY_PIPELINE_KAFKA_PORT" "$SPOTIFY_PIPELINE_S3_PORT" >> '${callLog}'
${scripts[behaviour]}
`,
  );
  chmodSync(command, 0o755);
  return {
    binDir,
    command,
    calls: () => {
      try {
        return readFileSync(callLog, 'utf8').trimEnd().split('\n');
      } catch {
        return [];
      }
    },
    processGroups: () => {
      try {
        return readFileSync(join(binDir, 'group-leaders.log'), 'utf8').trim().split('\n').map(Number);
      } catch {
        return [];
      }
    },
    remove: () => rmSync(binDir, { recursive: true, force: true }),
  };
}
