import { describe, expect, test } from 'vitest';
import type { DockerProbe } from '../../local/services/docker-probe.js';
import { chooseLocalEngine, enginesToStop } from '../../local/services/local-engine.js';

const dockerReady: DockerProbe = { engine: 'answers', compose: 'available', detail: '' };
const daemonDown: DockerProbe = {
  engine: 'unavailable',
  compose: 'available',
  detail: 'docker info failed: Cannot connect to the Docker daemon',
};
const dockerMissing: DockerProbe = {
  engine: 'unavailable',
  compose: 'unavailable',
  detail: 'docker is not installed (not found on the PATH)',
};
const composeMissing: DockerProbe = {
  engine: 'answers',
  compose: 'unavailable',
  detail: "docker compose version failed: docker: 'compose' is not a docker command.",
};

describe('chooseLocalEngine', () => {
  test('GIVEN auto and a Docker engine with Compose WHEN choosing THEN compose serves', () => {
    expect(chooseLocalEngine('auto', dockerReady)).toEqual({
      engine: 'compose',
      reason: 'a Docker engine answers and docker compose is installed',
    });
  });

  test.each([
    [
      'the daemon is down',
      daemonDown,
      'no Docker engine answers (docker info failed: Cannot connect to the Docker daemon)',
    ],
    [
      'docker is not installed',
      dockerMissing,
      'no Docker engine answers (docker is not installed (not found on the PATH))',
    ],
    [
      'the Compose plugin is missing',
      composeMissing,
      "a Docker engine answers, but not docker compose (docker compose version failed: docker: 'compose' is not a docker command.)",
    ],
  ])('GIVEN auto and %s WHEN choosing THEN the docker-free stack serves, and the reason says why', (_case, probe, reason) => {
    expect(chooseLocalEngine('auto', probe)).toEqual({ engine: 'native', reason });
  });

  test('GIVEN native WHEN choosing THEN native serves without asking Docker anything', () => {
    expect(chooseLocalEngine('native', undefined)).toEqual({ engine: 'native', reason: 'asked for' });
  });

  test('GIVEN compose and a Docker engine with Compose WHEN choosing THEN compose serves', () => {
    expect(chooseLocalEngine('compose', dockerReady)).toEqual({ engine: 'compose', reason: 'asked for' });
  });

  test('GIVEN compose and no Docker engine WHEN choosing THEN it refuses, saying why and to start Docker or use native', () => {
    // Act
    const choose = () => chooseLocalEngine('compose', daemonDown);

    // Assess
    expect(choose).toThrow(
      /^the compose engine needs a running Docker engine and the docker compose plugin, but docker info failed: Cannot connect/,
    );
    expect(choose).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/start Docker .* or use --engine native/) }),
    );
  });

  test('GIVEN compose and an engine without the Compose plugin WHEN choosing THEN it refuses, saying to install the plugin', () => {
    expect(() => chooseLocalEngine('compose', composeMissing)).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/^install the Docker Compose v2 plugin/) }),
    );
  });

  test('GIVEN auto or compose without the probe WHEN choosing THEN it is a programming error, not a silent native', () => {
    expect(() => chooseLocalEngine('auto', undefined)).toThrow(/needs the Docker probe's answers/);
    expect(() => chooseLocalEngine('compose', undefined)).toThrow(/needs the Docker probe's answers/);
  });
});

describe('enginesToStop', () => {
  test.each([
    ['auto', dockerReady, ['native', 'compose']],
    ['auto', daemonDown, ['native']],
    ['auto', composeMissing, ['native']],
    ['auto', undefined, ['native']],
    ['native', dockerReady, ['native']],
    ['compose', dockerReady, ['compose']],
  ] as const)('GIVEN %s and a probe WHEN stopping THEN it stops %j', (request, probe, engines) => {
    expect(enginesToStop(request, probe)).toEqual(engines);
  });
});
