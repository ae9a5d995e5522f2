import { describe, expect, test } from 'vitest';
import {
  composeDownCommand,
  composeFile,
  composeRunningServicesCommand,
  composeUpCommand,
  parseRunningServices,
} from '../../local/services/compose-stack.js';
import { repositoryRoot } from '../../local/tooling/cache-dir.js';

// These command lines cannot be run here (no Docker engine); what they are is pinned instead.
/** How every command that must see both S3 servers' containers begins. */
const withEveryProfile = [
  'compose',
  '-f',
  composeFile,
  '-p',
  'spotify-pipeline',
  '--profile',
  'minio',
  '--profile',
  'localstack',
];

describe('compose command lines', () => {
  const ports = { kafkaPort: 9092, s3Port: 4566 };

  test('GIVEN minio WHEN starting THEN up runs the repository compose file as project spotify-pipeline with the minio profile, detached, waiting for health', () => {
    // Act
    const up = composeUpCommand({ ...ports, s3Server: 'minio' });

    // Assess
    expect(up.command).toBe('docker');
    expect(up.args).toEqual([
      'compose',
      '-f',
      `${repositoryRoot}/compose.yaml`,
      '-p',
      'spotify-pipeline',
      '--profile',
      'minio',
      'up',
      '-d',
      '--wait',
    ]);
    expect(up.environment).toEqual({ SPOTIFY_PIPELINE_KAFKA_PORT: '9092', SPOTIFY_PIPELINE_S3_PORT: '4566' });
  });

  test('GIVEN localstack and other ports WHEN starting THEN only the profile and the port variables change', () => {
    // Act
    const up = composeUpCommand({
      kafkaPort: 19092,
      s3Port: 14566,
      s3Server: 'localstack',
      composeFile: '/x/compose.yaml',
    });

    // Assess
    expect(up.args).toEqual([
      'compose',
      '-f',
      '/x/compose.yaml',
      '-p',
      'spotify-pipeline',
      '--profile',
      'localstack',
      'up',
      '-d',
      '--wait',
    ]);
    expect(up.environment).toEqual({
      SPOTIFY_PIPELINE_KAFKA_PORT: '19092',
      SPOTIFY_PIPELINE_S3_PORT: '14566',
    });
  });

  test('GIVEN either S3 server may run WHEN stopping THEN down enables both profiles, so neither is left behind, and keeps the volumes', () => {
    // Act
    const down = composeDownCommand(ports);

    // Assess
    expect(down.args).toEqual([...withEveryProfile, 'down']);
    expect(down.args).not.toContain('-v');
    expect(down.args).not.toContain('--volumes');
  });

  test('GIVEN a status question WHEN asked THEN ps lists the running services of every profile, one name a line', () => {
    expect(composeRunningServicesCommand(ports).args).toEqual([
      ...withEveryProfile,
      'ps',
      '--services',
      '--filter',
      'status=running',
    ]);
  });

  test('parseRunningServices reads one service a line, ignoring blank lines and line ends', () => {
    expect(parseRunningServices('redpanda\r\nminio\n\nconsole\n')).toEqual(
      new Set(['redpanda', 'minio', 'console']),
    );
    expect(parseRunningServices('')).toEqual(new Set());
  });
});
