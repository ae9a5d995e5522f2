import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { probeDocker } from '../../local/services/docker-probe.js';
import { chooseLocalEngine } from '../../local/services/local-engine.js';
import { waitFor } from '../../local/services/process-control.js';
import { aFakeDocker, type FakeDocker } from '../support/fake-docker.js';

describe('probeDocker', () => {
  let fake: FakeDocker | undefined;
  afterEach(() => fake?.remove());

  test('GIVEN no docker program WHEN probed THEN both answers are unavailable and the detail says docker is not installed', async () => {
    // Act
    const probe = await probeDocker({ dockerCommand: '/nonexistent/bin/docker' });

    // Assess
    expect(probe).toEqual({
      engine: 'unavailable',
      compose: 'unavailable',
      detail: '/nonexistent/bin/docker is not installed (not found on the PATH)',
    });
  });

  test('GIVEN a docker whose daemon is down WHEN probed THEN the engine is unavailable, with docker info’s complaint', async () => {
    // Prepare
    fake = aFakeDocker('daemon-down');

    // Act
    const probe = await probeDocker({ dockerCommand: fake.command });

    // Assess
    expect(probe).toEqual({
      engine: 'unavailable',
      compose: 'available',
      detail:
        'docker info failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    });
  });

  test('GIVEN a docker that never answers WHEN probed THEN it gives up at the deadline, says so, and leaves no process behind', async () => {
    // Prepare
    fake = aFakeDocker('hangs');
    const startedAt = Date.now();

    // Act
    const probe = await probeDocker({ dockerCommand: fake.command, timeoutMs: 500 });

    // Assess
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(probe).toEqual({
      engine: 'unavailable',
      compose: 'unavailable',
      detail: 'docker info did not answer within 0.5 s; docker compose version did not answer within 0.5 s',
    });
    const groups = fake.processGroups();
    expect(groups).toHaveLength(2);
    const groupsGone = await waitFor(
      () => groups.every((group) => spawnSync('pgrep', ['-g', String(group)]).status === 1),
      5_000,
      50,
    );
    expect(groupsGone, `processes left in groups ${groups.join(', ')}`).toBe(true);
  });

  test('GIVEN a docker whose engine and Compose answer WHEN probed THEN both are available', async () => {
    // Prepare
    fake = aFakeDocker('engine-with-taken-port');

    // Act
    const probe = await probeDocker({ dockerCommand: fake.command });

    // Assess
    expect(probe).toEqual({ engine: 'answers', compose: 'available', detail: '' });
    const questions = fake.calls().filter((call) => !call.startsWith('KAFKA='));
    expect(questions.sort()).toEqual(['compose version --short', 'info --format {{.ServerVersion}}']);
  });

  test('GIVEN this machine’s own docker (whatever it has) WHEN probed THEN the answer agrees with docker info run by hand, within the deadline, and auto follows it', async () => {
    // Prepare: what `docker info` says here, asked independently of the probe. On the machine this
    // project is developed and tested on, docker answers --version but no engine runs, so this is
    // the "no engine, so native" case there; where an engine runs it is the "compose" case.
    const byHand = spawnSync('docker', ['info'], { timeout: 10_000, stdio: 'ignore' });
    const engineAnswers = byHand.status === 0;
    const startedAt = Date.now();

    // Act
    const probe = await probeDocker();

    // Assess
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    expect(probe.engine).toBe(engineAnswers ? 'answers' : 'unavailable');
    if (!engineAnswers) {
      expect(probe.detail).toMatch(/docker info|not installed/);
      expect(chooseLocalEngine('auto', probe).engine).toBe('native');
    }
  });
});
