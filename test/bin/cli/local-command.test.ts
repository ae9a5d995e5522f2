import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { kafkaBrokerFiles } from '../../../local/services/kafka-broker.js';
import { s3ServerFiles } from '../../../local/services/s3-server.js';
import { repositoryRoot } from '../../../local/tooling/cache-dir.js';
import { aFakeDocker, type FakeDocker } from '../../support/fake-docker.js';
import { freeLocalStackPorts } from '../../support/free-ports.js';
import { runCli } from '../../support/run-cli.js';

// These runs fail while reading their options, before any service is probed or started.
// Usage errors exit 2, as every command's do (README: the command-line tool).
describe('spotify-pipeline local: port options', () => {
  test('GIVEN a port variable that is not a number WHEN status runs THEN it names the variable and the value', async () => {
    // Act
    const run = await runCli(['local', 'status'], { SPOTIFY_PIPELINE_KAFKA_PORT: 'abc' });

    // Assess
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      "error: option '--kafka-port <port>' value 'abc' from env 'SPOTIFY_PIPELINE_KAFKA_PORT' is invalid. A port is a whole number from 1 to 65535.",
    );
  });

  test('GIVEN an out-of-range --s3-port WHEN up runs THEN it names the option and starts nothing', async () => {
    // Act
    const run = await runCli(['local', 'up', '--s3-port', '70000']);

    // Assess
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      "error: option '--s3-port <port>' argument '70000' is invalid. A port is a whole number from 1 to 65535.",
    );
  });
});

/**
 * How `local` chooses its engine, with a fake `docker` first on the PATH: these runs are the same on
 * a machine with or without Docker, and never start a container or a service (the ports are free
 * ones, and nothing is started on them).
 */
describe('spotify-pipeline local: the engine', () => {
  let fake: FakeDocker | undefined;
  let portOptions: string[];
  let kafkaPort: number;
  let s3Port: number;

  beforeEach(async () => {
    ({ kafkaPort, s3Port, portOptions } = await freeLocalStackPorts());
  });

  afterEach(() => {
    fake?.remove();
    // status and down look for pid files in per-port folders, which reading creates.
    rmSync(kafkaBrokerFiles(kafkaPort).stateDir, { recursive: true, force: true });
    rmSync(s3ServerFiles(s3Port).stateDir, { recursive: true, force: true });
  });

  const withDocker = (docker: FakeDocker) => ({
    PATH: `${docker.binDir}:${process.env.PATH}`,
    // Whatever the developer's shell says, these runs are about auto.
    SPOTIFY_PIPELINE_LOCAL_ENGINE: 'auto',
  });

  test('GIVEN a docker whose daemon is down WHEN status runs under auto THEN it answers for the docker-free stack at once', async () => {
    // Prepare
    fake = aFakeDocker('daemon-down');

    // Act
    const status = await runCli(['local', 'status', ...portOptions], withDocker(fake));

    // Assess: no compose question was asked after the probe.
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toBe(
      `kafka 127.0.0.1:${kafkaPort} stopped\ns3 http://127.0.0.1:${s3Port} stopped\n`,
    );
    expect(fake.calls().filter((call) => call.startsWith('compose -f'))).toEqual([]);
  });

  test('GIVEN a docker whose daemon is down WHEN up runs with --engine compose THEN it refuses, saying why and what to do, and starts nothing', async () => {
    // Prepare
    fake = aFakeDocker('daemon-down');

    // Act
    const up = await runCli(['local', 'up', '--engine', 'compose', ...portOptions], withDocker(fake));

    // Assess
    expect(up.exitCode).toBe(2);
    expect(up.stdout).toBe('');
    expect(up.stderr).toContain(
      'spotify-pipeline: the compose engine needs a running Docker engine and the docker compose plugin, but docker info failed: Cannot connect to the Docker daemon',
    );
    expect(up.stderr).toMatch(/what to do: start Docker \(docker info must work\), or use --engine native/);
  });

  test('GIVEN SPOTIFY_PIPELINE_LOCAL_ENGINE=compose on a docker whose daemon is down WHEN down runs THEN the variable counts as --engine compose', async () => {
    // Prepare
    fake = aFakeDocker('daemon-down');

    // Act
    const down = await runCli(['local', 'down', ...portOptions], {
      ...withDocker(fake),
      SPOTIFY_PIPELINE_LOCAL_ENGINE: 'compose',
    });

    // Assess
    expect(down.exitCode).toBe(2);
    expect(down.stderr).toContain('the compose engine needs a running Docker engine');
  });

  test('GIVEN an engine whose compose project runs WHEN status runs under auto THEN it asks compose, and names compose as what serves', async () => {
    // Prepare: the fake lists redpanda and minio as running, but nothing listens on these ports.
    fake = aFakeDocker('engine-with-taken-port');

    // Act
    const status = await runCli(['local', 'status', ...portOptions], withDocker(fake));

    // Assess
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toBe(
      `kafka 127.0.0.1:${kafkaPort} unresponsive compose\ns3 http://127.0.0.1:${s3Port} unresponsive compose\n`,
    );
    expect(fake.calls()).toContain(
      `compose -f ${repositoryRoot}/compose.yaml -p spotify-pipeline --profile minio --profile localstack ps --services --filter status=running`,
    );
  });

  test('GIVEN an engine whose port is taken WHEN up runs under auto with --compose-s3 localstack THEN it runs compose up with the profile and ports, and reports docker’s error', async () => {
    // Prepare
    fake = aFakeDocker('engine-with-taken-port');

    // Act
    const up = await runCli(['local', 'up', '--compose-s3', 'localstack', ...portOptions], withDocker(fake));

    // Assess: the exact command line, and the ports compose.yaml reads, reached docker.
    const calls = fake.calls();
    const upCall = calls.findIndex((call) => call.endsWith(' up -d --wait'));
    expect(calls[upCall]).toBe(
      `compose -f ${repositoryRoot}/compose.yaml -p spotify-pipeline --profile localstack up -d --wait`,
    );
    expect(calls[upCall + 1]).toBe(`KAFKA=${kafkaPort} S3=${s3Port}`);
    expect(up.stderr).toContain('engine: compose (a Docker engine answers and docker compose is installed)');
    expect(up.exitCode).toBe(2);
    expect(up.stderr).toContain('port is already allocated');
    expect(up.stderr).toMatch(/what to do: .*local down --engine native/);
  });

  test('GIVEN an unknown engine WHEN up runs THEN it is a usage error naming the choices', async () => {
    // Act
    const up = await runCli(['local', 'up', '--engine', 'podman', ...portOptions]);

    // Assess
    expect(up.exitCode).toBe(2);
    expect(up.stderr).toContain(
      "error: option '--engine <engine>' argument 'podman' is invalid. Allowed choices are auto, compose, native.",
    );
  });
});
