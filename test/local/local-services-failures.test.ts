import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ensureKafkaInstalled } from '../../local/services/kafka-install.js';
import { LocalServiceError } from '../../local/services/local-service-error.js';
import { s3ServerAnswers, startS3Server } from '../../local/services/s3-server.js';
import { freeLoopbackPorts } from '../support/free-ports.js';

/**
 * What the user sees when a tool is missing. The tools are made missing for real: an empty cache
 * (so that an install is due) and a PATH with nothing on it.
 */
describe('local services on a machine that lacks a tool', () => {
  let emptyCache: string;
  let emptyPath: string;
  const javaOnThisMachine = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim();

  beforeEach(() => {
    emptyCache = mkdtempSync(join(tmpdir(), 'spotify-pipeline-cache-'));
    emptyPath = mkdtempSync(join(tmpdir(), 'spotify-pipeline-path-'));
    vi.stubEnv('SPOTIFY_PIPELINE_CACHE', emptyCache);
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(emptyCache, { recursive: true, force: true });
    rmSync(emptyPath, { recursive: true, force: true });
  });

  test('GIVEN no java WHEN Kafka is installed THEN the error says Java is missing and how to get it', async () => {
    // Act
    const installing = ensureKafkaInstalled(() => undefined, join(emptyPath, 'java'));

    // Assess
    await expect(installing).rejects.toThrow(LocalServiceError);
    await expect(installing).rejects.toThrow(
      `Java is not installed (no "${join(emptyPath, 'java')}" on the PATH)`,
    );
    await expect(installing).rejects.toMatchObject({
      hint: expect.stringMatching(/Java runtime 11 or later/),
    });
  });

  test('GIVEN java but no mvn WHEN Kafka is installed for the first time THEN the error names Maven and leaves no half install', async () => {
    // Prepare
    vi.stubEnv('PATH', emptyPath);
    const progress: string[] = [];

    // Act
    const installing = ensureKafkaInstalled((line) => progress.push(line), javaOnThisMachine);

    // Assess
    await expect(installing).rejects.toThrow('Maven is not installed (no "mvn" on the PATH)');
    await expect(installing).rejects.toMatchObject({
      hint: expect.stringMatching(/install Maven 3\.6 or later/),
    });
    expect(progress.join('\n')).toMatch(/installing Kafka's jars with Maven/);
    expect(existsSync(join(emptyCache, 'kafka', 'libs'))).toBe(false);
  });

  test('GIVEN no python3 WHEN the S3 server starts for the first time THEN the error names the venv folder and what to install', async () => {
    // Prepare
    vi.stubEnv('PATH', emptyPath);
    const [port] = await freeLoopbackPorts(1);

    // Act
    const starting = startS3Server({ port: port!, reportProgress: () => undefined });

    // Assess
    await expect(starting).rejects.toThrow(
      `could not install the S3 server (moto) into ${join(emptyCache, 'venvs', 'moto-server')}`,
    );
    await expect(starting).rejects.toMatchObject({ hint: expect.stringMatching(/python3-venv/) });
  });
});

describe('s3ServerAnswers', () => {
  const servers: Server[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function serve(status: number, contentType: string, body: string): Promise<string> {
    const server = createServer((_request, response) => {
      response.writeHead(status, { 'content-type': contentType });
      response.end(body);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the test server has no port');
    return `http://127.0.0.1:${address.port}`;
  }

  test('GIVEN a web page that is not S3 (200 or 404) THEN it is not taken for an S3 server', async () => {
    expect(
      await s3ServerAnswers(await serve(200, 'text/html', '<html><body>a dashboard</body></html>')),
    ).toBe(false);
    expect(await s3ServerAnswers(await serve(404, 'text/html', '<html><body>not found</body></html>'))).toBe(
      false,
    );
  });

  test('GIVEN an S3 error document (an S3 server that refuses these credentials) THEN it counts as S3', async () => {
    const accessDenied =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>unknown key</Message></Error>';
    expect(await s3ServerAnswers(await serve(403, 'application/xml', accessDenied))).toBe(true);
  });

  test('GIVEN nothing listening THEN the answer is no', async () => {
    const [port] = await freeLoopbackPorts(1);
    expect(await s3ServerAnswers(`http://127.0.0.1:${port}`)).toBe(false);
  });
});
