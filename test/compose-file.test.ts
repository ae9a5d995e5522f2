import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Credentials } from '../local/services/endpoints.js';
import { repositoryRoot } from '../local/tooling/cache-dir.js';
import {
  type RenderedComposeConfig,
  type RenderedComposeService,
  renderComposeFile,
} from '../local/tooling/compose-file-check.js';

const COMPOSE_FILE = join(repositoryRoot, 'compose.yaml');

/**
 * The compose file cannot be run here (no Docker engine), so it is checked the way Compose itself
 * reads it: docker-compose 1.29.2 renders it (schema validation, interpolation, normalised ports and
 * volumes), and these tests assert on that rendering, not on the YAML text.
 */
describe('compose.yaml', () => {
  let config: RenderedComposeConfig;
  const service = (name: string): RenderedComposeService => {
    const found = config.services[name];
    if (found === undefined) throw new Error(`compose.yaml has no service "${name}"`);
    return found;
  };

  // The first run installs docker-compose into .cache/venvs/ (about 20 s).
  beforeAll(async () => {
    const rendering = await renderComposeFile(COMPOSE_FILE, { profiles: ['minio', 'localstack'] });
    if (!rendering.valid) throw new Error(`docker-compose refused compose.yaml:\n${rendering.error}`);
    config = rendering.config;
  }, 300_000);

  it('GIVEN the file WHEN rendered THEN it has Redpanda, its console and the two S3 servers, each from a pinned image', () => {
    expect(Object.keys(config.services).sort()).toEqual(['console', 'localstack', 'minio', 'redpanda']);
    for (const [name, { image }] of Object.entries(config.services)) {
      expect(image, name).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/);
      expect(image, name).not.toMatch(/:(latest|stable|main)$/);
    }
  });

  it('GIVEN no port variables WHEN rendered THEN Kafka is published on 127.0.0.1:9092 and advertised there, beside an internal listener for the console', () => {
    const redpanda = service('redpanda');
    expect(redpanda.ports).toEqual(['127.0.0.1:9092:19092/tcp']);
    expect(redpanda.command).toContain('--kafka-addr=internal://0.0.0.0:9092,external://0.0.0.0:19092');
    expect(redpanda.command).toContain(
      '--advertise-kafka-addr=internal://redpanda:9092,external://127.0.0.1:9092',
    );
    expect(service('console').environment?.KAFKA_BROKERS).toBe('redpanda:9092');
    expect(service('console').ports).toEqual(['127.0.0.1:8080:8080/tcp']);
    expect(service('console').depends_on?.redpanda?.condition).toBe('service_healthy');
  });

  it('GIVEN no port variables WHEN rendered THEN both S3 servers publish their S3 API on 127.0.0.1:4566, each under a profile of its own', () => {
    expect(service('minio').ports).toContain('127.0.0.1:4566:9000/tcp');
    expect(service('localstack').ports).toEqual(['127.0.0.1:4566:4566/tcp']);
    // Both on 4566 is only possible because no single profile starts both.
    expect(service('minio').profiles).toEqual(['minio']);
    expect(service('localstack').profiles).toEqual(['localstack']);
    expect(service('redpanda').profiles).toBeUndefined();
    expect(service('console').profiles).toBeUndefined();
    expect(service('localstack').environment?.SERVICES).toBe('s3,secretsmanager');
  });

  it('GIVEN any service WHEN rendered THEN it publishes on loopback only and has a health check', () => {
    for (const [name, { ports, healthcheck }] of Object.entries(config.services)) {
      for (const port of ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+\/tcp$/);
      expect(healthcheck?.test?.length ?? 0, `${name} health check`).toBeGreaterThan(1);
      expect(healthcheck?.test?.[0], name).toMatch(/^CMD(-SHELL)?$/);
    }
  });

  it('GIVEN the stateful services WHEN rendered THEN their data lives in named volumes, declared at the top level', () => {
    expect(service('redpanda').volumes).toEqual(['redpanda-data:/var/lib/redpanda/data:rw']);
    expect(service('minio').volumes).toEqual(['minio-data:/data:rw']);
    expect(service('localstack').volumes).toEqual(['localstack-data:/var/lib/localstack:rw']);
    expect(Object.keys(config.volumes ?? {}).sort()).toEqual([
      'localstack-data',
      'minio-data',
      'redpanda-data',
    ]);
  });

  it("GIVEN MinIO WHEN rendered THEN its root user is the pair every local S3 client signs with, within MinIO's length rules", () => {
    const environment = service('minio').environment;
    expect(environment?.MINIO_ROOT_USER).toBe(localS3Credentials.accessKeyId);
    expect(environment?.MINIO_ROOT_PASSWORD).toBe(localS3Credentials.secretAccessKey);
    expect(localS3Credentials.accessKeyId.length).toBeGreaterThanOrEqual(3);
    expect(localS3Credentials.secretAccessKey.length).toBeGreaterThanOrEqual(8);
  });

  it('GIVEN the port variables the CLI honours WHEN rendered THEN the published and advertised ports follow them', async () => {
    // Act
    const rendering = await renderComposeFile(COMPOSE_FILE, {
      variables: { SPOTIFY_PIPELINE_KAFKA_PORT: '19092', SPOTIFY_PIPELINE_S3_PORT: '14566' },
    });

    // Assess
    if (!rendering.valid) throw new Error(rendering.error);
    const { redpanda, minio, localstack } = rendering.config.services;
    expect(redpanda?.ports).toEqual(['127.0.0.1:19092:19092/tcp']);
    expect(redpanda?.command).toContain(
      '--advertise-kafka-addr=internal://redpanda:9092,external://127.0.0.1:19092',
    );
    expect(minio?.ports).toContain('127.0.0.1:14566:9000/tcp');
    expect(localstack?.ports).toEqual(['127.0.0.1:14566:4566/tcp']);
  });
});

describe('the compose file check', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'compose-check-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** compose.yaml with one edit, written beside nothing else, so only the edit can make it fail. */
  const brokenCopy = (name: string, edit: (text: string) => string): string => {
    const original = readFileSync(COMPOSE_FILE, 'utf8');
    const edited = edit(original);
    expect(edited, 'the edit changed nothing').not.toBe(original);
    const file = join(scratch, name);
    writeFileSync(file, edited);
    return file;
  };

  it('GIVEN a copy with a misspelt service option WHEN rendered THEN docker-compose refuses it, naming the option', {
    timeout: 300_000,
  }, async () => {
    // Prepare
    const file = brokenCopy('misspelt.yaml', (text) => text.replace('    healthcheck:', '    helthcheck:'));

    // Act
    const rendering = await renderComposeFile(file);

    // Assess
    expect(rendering.valid).toBe(false);
    if (!rendering.valid)
      expect(rendering.error).toMatch(/Unsupported config option for services\.\w+: 'helthcheck'/);
  });

  it('GIVEN a copy whose console waits for a service that does not exist WHEN rendered THEN docker-compose refuses it', {
    timeout: 300_000,
  }, async () => {
    // Prepare
    const file = brokenCopy('dangling.yaml', (text) =>
      text.replace(/depends_on:\n {6}redpanda:/, 'depends_on:\n      kafka:'),
    );

    // Act
    const rendering = await renderComposeFile(file);

    // Assess
    expect(rendering.valid).toBe(false);
    if (!rendering.valid)
      expect(rendering.error).toMatch(/Service 'console' depends on service 'kafka' which is undefined/);
  });
});
