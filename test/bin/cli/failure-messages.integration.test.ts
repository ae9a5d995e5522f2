import { describe, expect, inject, it } from 'vitest';
import { freeLoopbackPorts } from '../../support/free-ports.js';
import { runCli } from '../../support/run-cli.js';

/** A stack frame as Node prints it. */
const STACK_FRAME = /\n\s+at .+[:(]/;

/**
 * The failures a user can cause, one row per command and failure, each on the real local
 * services: what the command prints first, and how it exits. No row may print a stack.
 */
const CASES: readonly {
  readonly name: string;
  readonly args: (s3: string, closedPort: number) => string[];
  readonly environment?: NodeJS.ProcessEnv;
  readonly exitCode: number;
  readonly says: RegExp;
}[] = [
  {
    name: 'load from a bucket that does not exist',
    args: (s3) => [
      'load',
      '--bucket',
      'nope',
      '--s3-endpoint',
      s3,
      '--warehouse',
      'duckdb:/tmp/never-written.duckdb',
    ],
    exitCode: 1,
    says: /^spotify-pipeline: --bucket nope: there is no such bucket on http:\/\/127\.0\.0\.1:\d+\n {2}what to do: /,
  },
  {
    name: 'load from AWS with no network to it',
    args: () => ['load', '--bucket', 'my-lake', '--warehouse', 'duckdb:/tmp/never-written.duckdb'],
    // Credentials of no account, so that the request itself is what fails, as it does offline.
    environment: {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    exitCode: 1,
    says: /^spotify-pipeline: cannot reach S3 at AWS \(no --s3-endpoint\) \(E[A-Z]+ .*\)\n {2}what to do: without --s3-endpoint/,
  },
  {
    name: 'consume from a port where no broker listens',
    args: (s3, closedPort) => [
      'consume',
      '--brokers',
      `127.0.0.1:${closedPort}`,
      '--bucket',
      'bucket-x',
      '--s3-endpoint',
      s3,
      '--until-idle',
    ],
    exitCode: 1,
    says: /^spotify-pipeline: cannot reach the Kafka brokers 127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\)\n {2}what to do: check --brokers/,
  },
  {
    name: 'consume into a bucket name S3 refuses',
    args: (s3) => [
      'consume',
      '--brokers',
      inject('kafkaBrokers'),
      '--bucket',
      'b',
      '--s3-endpoint',
      s3,
      '--until-idle',
    ],
    exitCode: 2,
    says: /^spotify-pipeline: --bucket b: S3 refuses the name: .*\n {2}what to do: choose a name/,
  },
  {
    name: 'load from an S3 endpoint where nothing listens',
    args: (_s3, closedPort) => [
      'load',
      '--bucket',
      'my-lake',
      '--s3-endpoint',
      `http://127.0.0.1:${closedPort}`,
      '--warehouse',
      'duckdb:/tmp/never-written.duckdb',
    ],
    exitCode: 1,
    says: /^spotify-pipeline: cannot reach S3 at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED.*\)\n {2}what to do: start the local services/,
  },
];

describe('failures a user can cause: one clear message and an exit code, no stack trace', () => {
  it.each(CASES)('$name', async ({ args, environment, exitCode, says }) => {
    const [closedPort] = await freeLoopbackPorts(1);
    const run = await runCli(args(inject('s3Endpoint'), closedPort!), environment);

    expect(run.exitCode).toBe(exitCode);
    expect(run.stderr).toMatch(says);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stderr).not.toContain('unexpected failure');
  });

  it('GIVEN --verbose THEN the same message comes with the stack, for a bug report', async () => {
    const run = await runCli([
      'load',
      '--bucket',
      'nope',
      '--s3-endpoint',
      inject('s3Endpoint'),
      '--warehouse',
      'duckdb:/tmp/never-written.duckdb',
      '--verbose',
    ]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^spotify-pipeline: --bucket nope: there is no such bucket/);
    expect(run.stderr).toMatch(STACK_FRAME);
  });
});
