import type { DockerProbe } from './docker-probe.js';
import { LocalServiceError } from './local-service-error.js';

/**
 * What runs the local services. `compose`: the containers of `compose.yaml` (Redpanda, MinIO or
 * LocalStack) under a Docker engine. `native`: the docker-free stack, a Kafka broker from Maven
 * Central jars and moto, as processes on this machine. Both serve the same endpoints.
 */
export type LocalEngine = 'compose' | 'native';

/** What the user asks for; `auto` lets {@link chooseLocalEngine} decide from what this machine has. */
export type LocalEngineRequest = LocalEngine | 'auto';

export const localEngineRequests: readonly LocalEngineRequest[] = ['auto', 'compose', 'native'];

/** The engine to use, and why, in words for the person at the terminal. */
export interface LocalEngineChoice {
  readonly engine: LocalEngine;
  readonly reason: string;
}

/**
 * Decides which engine serves the local services. Pure: the probe's answers come in, so every case
 * is testable on a machine without Docker.
 *
 * @param probe what {@link probeDocker} found; not needed (and not read) for a `native` request
 * @throws LocalServiceError when `compose` is asked for but this machine cannot run it
 */
export function chooseLocalEngine(
  request: LocalEngineRequest,
  probe: DockerProbe | undefined,
): LocalEngineChoice {
  if (request === 'native') return { engine: 'native', reason: 'asked for' };
  if (probe === undefined)
    throw new Error(`chooseLocalEngine: a "${request}" request needs the Docker probe's answers`);
  const dockerReady = probe.engine === 'answers' && probe.compose === 'available';
  if (request === 'compose') {
    if (dockerReady) return { engine: 'compose', reason: 'asked for' };
    throw new LocalServiceError(
      `the compose engine needs a running Docker engine and the docker compose plugin, but ${probe.detail}`,
      probe.engine === 'answers'
        ? 'install the Docker Compose v2 plugin (docker compose version must work), or use --engine native'
        : 'start Docker (docker info must work), or use --engine native for the docker-free services',
    );
  }
  if (dockerReady)
    return { engine: 'compose', reason: 'a Docker engine answers and docker compose is installed' };
  if (probe.engine === 'answers') {
    return { engine: 'native', reason: `a Docker engine answers, but not docker compose (${probe.detail})` };
  }
  return { engine: 'native', reason: `no Docker engine answers (${probe.detail})` };
}

/** Which engines `local down` stops: the one asked for, or under `auto` every engine that may have started something. */
export function enginesToStop(request: LocalEngineRequest, probe: DockerProbe | undefined): LocalEngine[] {
  if (request !== 'auto') return [request];
  // Stopping the native services only reads pid files, so it is always safe; the compose project
  // can only be running (and only be stopped) where Docker answers.
  const dockerReady = probe?.engine === 'answers' && probe.compose === 'available';
  return dockerReady ? ['native', 'compose'] : ['native'];
}
