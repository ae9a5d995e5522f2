import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localS3Credentials } from '../../../local/services/endpoints.js';
import { localWarehouseEnvironment } from '../../support/deployed-functions.js';
import { FakeSnowflakeServer } from '../../support/fake-snowflake-server.js';
import { freeLoopbackPorts } from '../../support/free-ports.js';
import { localKafka, localS3, uniqueName } from '../../support/local-clients.js';
import { type OwnMoto, startOwnMoto } from '../../support/own-moto.js';
import { runCli } from '../../support/run-cli.js';
import {
  type HeldWarehouse,
  holdWarehouseOpen,
  writeDamagedWarehouse,
  writeWarehouseOfNewerDuckDb,
} from '../../support/warehouse-files.js';

/** A stack frame as Node prints it. */
const STACK_FRAME = /\n\s+at .+[:(]/;

/** Where a command line points: each failure class below changes one or two of these. */
interface Where {
  readonly brokers: string;
  readonly topic: string;
  readonly bucket: string;
  /** Null: no --s3-endpoint, so the command goes to AWS. */
  readonly s3Endpoint: string | null;
  readonly warehouse: string;
  readonly out: string;
  readonly environment: NodeJS.ProcessEnv;
}

const s3Flags = (where: Where) => [
  '--bucket',
  where.bucket,
  ...(where.s3Endpoint === null ? [] : ['--s3-endpoint', where.s3Endpoint]),
];

/** Every command of the CLI, as a user runs it, from where it points. */
const COMMANDS = {
  produce: (where: Where) => ['produce', '--brokers', where.brokers, '--topic', where.topic, '--count', '5'],
  consume: (where: Where) => [
    'consume',
    '--brokers',
    where.brokers,
    '--topic',
    where.topic,
    ...s3Flags(where),
    '--until-idle',
  ],
  'replay-failed': (where: Where) => [
    'replay-failed',
    ...s3Flags(where),
    '--brokers',
    where.brokers,
    '--topic',
    where.topic,
  ],
  load: (where: Where) => ['load', ...s3Flags(where), '--warehouse', where.warehouse],
  run: (where: Where) => ['run', ...s3Flags(where), '--warehouse', where.warehouse],
  transform: (where: Where) => ['transform', '--warehouse', where.warehouse],
  report: (where: Where) => ['report', '--warehouse', where.warehouse],
  dashboard: (where: Where) => [
    'dashboard',
    '--warehouse',
    where.warehouse,
    ...s3Flags(where),
    '--out',
    where.out,
  ],
  audit: (where: Where) => [
    'audit',
    '--brokers',
    where.brokers,
    '--topic',
    where.topic,
    '--group',
    'failure-table',
    ...s3Flags(where),
    '--warehouse',
    where.warehouse,
  ],
  generate: (where: Where) => ['generate', '--seed', '1', '--count', '5', '--out', where.out],
  'local up': () => ['local', 'up'],
  demo: () => ['demo', '--events', '10'],
} as const satisfies Record<string, (where: Where) => string[]>;

type CommandName = keyof typeof COMMANDS;

/** What the harness set up: the real local services, and what each failure needs beside them. */
interface Fixture {
  readonly healthy: Where;
  readonly closedPort: number;
  /** A moto server that held the lake bucket, then was stopped. */
  readonly stoppedS3: string;
  /** A moto server that enforces IAM: it knows no credentials, so it refuses every request. */
  readonly iamEnforcingS3: string;
  /** A port where a program that is neither Kafka nor S3 listens. */
  readonly foreignPort: number;
  readonly workDir: string;
  readonly newerStorageVersion: number;
  readonly heldWarehouse: string;
  readonly snowflakeRefusing: NodeJS.ProcessEnv;
  readonly snowflakeUnreachable: NodeJS.ProcessEnv;
}

/** AWS credentials that exist nowhere, and no place to find others: the SDK finds none. */
const NO_AWS_CREDENTIALS: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
  AWS_WEB_IDENTITY_TOKEN_FILE: '',
  AWS_REGION: 'us-east-1',
};

interface FailureClass {
  readonly name: string;
  readonly commands: readonly CommandName[];
  readonly where: (fixture: Fixture, healthy: Where) => Where;
  readonly exitCode: number;
  readonly says: (fixture: Fixture) => RegExp;
}

const WAREHOUSE_COMMANDS: readonly CommandName[] = [
  'load',
  'run',
  'transform',
  'report',
  'dashboard',
  'audit',
];
const LAKE_COMMANDS: readonly CommandName[] = [
  'consume',
  'replay-failed',
  'load',
  'run',
  'audit',
  'dashboard',
];
const LAKE_READERS: readonly CommandName[] = ['replay-failed', 'load', 'run', 'audit', 'dashboard'];
const SNOWFLAKE_COMMANDS: readonly CommandName[] = ['load', 'report', 'dashboard', 'audit'];

/**
 * The failures a user can cause, each with the commands it applies to: every (class, command) pair
 * is one test on the real local services.
 */
const FAILURE_CLASSES: readonly FailureClass[] = [
  {
    name: 'no broker listens at --brokers',
    commands: ['produce', 'consume', 'replay-failed', 'audit'],
    where: (f, w) => ({ ...w, brokers: `127.0.0.1:${f.closedPort}` }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: cannot reach the Kafka brokers 127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\)\n {2}what to do: check --brokers/,
  },
  {
    name: 'the topic does not exist',
    commands: ['consume', 'replay-failed', 'audit'],
    where: (_f, w) => ({ ...w, topic: 'no-such-topic-anywhere' }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: --topic no-such-topic-anywhere: the brokers have no such topic\n {2}what to do: check the name/,
  },
  {
    name: 'nothing listens at --s3-endpoint',
    commands: LAKE_COMMANDS,
    where: (f, w) => ({ ...w, s3Endpoint: `http://127.0.0.1:${f.closedPort}` }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: cannot reach S3 at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED.*\)\n {2}what to do: start the local services/,
  },
  {
    name: 'the S3 server was stopped',
    commands: LAKE_COMMANDS,
    where: (f, w) => ({ ...w, s3Endpoint: f.stoppedS3 }),
    exitCode: 1,
    says: (f) =>
      new RegExp(
        `^spotify-pipeline: cannot reach S3 at ${f.stoppedS3.replace(/\./g, '\\.')} \\(ECONNREFUSED.*\\)\\n {2}what to do: start the local services`,
      ),
  },
  {
    name: 'the bucket does not exist',
    commands: LAKE_READERS,
    where: (_f, w) => ({ ...w, bucket: 'no-such-lake-bucket' }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: --bucket no-such-lake-bucket: there is no such bucket on http:\/\/127\.0\.0\.1:\d+\n {2}what to do: check the name/,
  },
  {
    name: 'a bucket name S3 refuses',
    commands: LAKE_COMMANDS,
    where: (_f, w) => ({ ...w, bucket: 'b' }),
    exitCode: 2,
    says: () => /^spotify-pipeline: --bucket b: S3 refuses the name: .*\n {2}what to do: choose a name/,
  },
  {
    name: 'S3 refuses the credentials',
    commands: LAKE_COMMANDS,
    where: (f, w) => ({ ...w, s3Endpoint: f.iamEnforcingS3 }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: http:\/\/127\.0\.0\.1:\d+ refused the request for --bucket \S+ \((HTTP 403|InvalidAccessKeyId: .*)\)\n {2}what to do: check the AWS credentials/,
  },
  {
    name: 'no AWS credentials anywhere (no --s3-endpoint)',
    commands: LAKE_COMMANDS,
    where: (_f, w) => ({ ...w, s3Endpoint: null, environment: { ...w.environment, ...NO_AWS_CREDENTIALS } }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: no AWS credentials were found to reach S3 on AWS\n {2}what to do: set AWS_PROFILE/,
  },
  {
    // A region no name resolves in: the request fails where an offline machine's would, and never
    // reaches AWS.
    name: 'no network to AWS (no --s3-endpoint)',
    commands: LAKE_COMMANDS,
    where: (_f, w) => ({
      ...w,
      s3Endpoint: null,
      environment: {
        ...w.environment,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'example',
        AWS_REGION: 'offline-test-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: cannot reach S3 at AWS \(no --s3-endpoint\) \(E[A-Z_]+ .*\)\n {2}what to do: without --s3-endpoint/,
  },
  {
    name: 'another process has the warehouse file open',
    commands: WAREHOUSE_COMMANDS,
    where: (f, w) => ({
      ...w,
      warehouse: `duckdb:${f.heldWarehouse}`,
      environment: { ...w.environment, SPOTIFY_PIPELINE_WAREHOUSE_WAIT_SECONDS: '1' },
    }),
    exitCode: 1,
    says: () =>
      /^(waiting for .*\n)?spotify-pipeline: --warehouse duckdb:\S+: the warehouse file is in use: .* is open in .*PID \d+.*\n {2}what to do: wait for that command to finish/,
  },
  {
    name: 'the warehouse file is not a DuckDB database',
    commands: WAREHOUSE_COMMANDS,
    where: (f, w) => ({ ...w, warehouse: `duckdb:${join(f.workDir, 'events.ndjson')}` }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: --warehouse duckdb:\S+: \S+events\.ndjson is not a DuckDB database, or it is damaged \(.*\)\n {2}what to do: check the path/,
  },
  {
    name: 'the warehouse file is damaged',
    commands: WAREHOUSE_COMMANDS,
    where: (f, w) => ({ ...w, warehouse: `duckdb:${join(f.workDir, 'damaged.duckdb')}` }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: --warehouse duckdb:\S+: \S+damaged\.duckdb is not a DuckDB database, or it is damaged \(.*checksum.*\)\n {2}what to do: check the path/,
  },
  {
    name: 'the warehouse file was written by a newer DuckDB',
    commands: WAREHOUSE_COMMANDS,
    where: (f, w) => ({ ...w, warehouse: `duckdb:${join(f.workDir, 'newer.duckdb')}` }),
    exitCode: 1,
    says: (f) =>
      new RegExp(
        `^spotify-pipeline: --warehouse duckdb:\\S+: \\S+newer\\.duckdb was written by a newer DuckDB \\(storage version ${f.newerStorageVersion}; this spotify-pipeline reads up to \\d+\\)\\n {2}what to do: upgrade spotify-pipeline`,
      ),
  },
  {
    name: 'there is no warehouse file',
    commands: ['transform', 'report', 'dashboard', 'audit'],
    where: (f, w) => ({ ...w, warehouse: `duckdb:${join(f.workDir, 'never-written.duckdb')}` }),
    exitCode: 2,
    says: () => /^spotify-pipeline: --warehouse duckdb:\S+: there is no DuckDB file at \S+\n {2}what to do: /,
  },
  {
    name: 'Snowflake refuses the login',
    commands: SNOWFLAKE_COMMANDS,
    where: (f, w) => ({
      ...w,
      warehouse: 'snowflake',
      environment: { ...w.environment, ...f.snowflakeRefusing },
    }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: Snowflake refused the login \(account org-acct as SPOTIFY_PIPELINE\): .*\n {2}what to do: check that the secret's private_key/,
  },
  {
    name: 'Snowflake cannot be reached',
    commands: SNOWFLAKE_COMMANDS,
    where: (f, w) => ({
      ...w,
      warehouse: 'snowflake',
      environment: { ...w.environment, ...f.snowflakeUnreachable },
    }),
    exitCode: 1,
    says: () =>
      /^spotify-pipeline: could not reach Snowflake \(account org-acct as SPOTIFY_PIPELINE\): .*\n {2}what to do: check this machine's network path/,
  },
  {
    name: 'a command that cannot work on Snowflake is pointed at it',
    commands: ['run', 'transform'],
    where: (_f, w) => ({ ...w, warehouse: 'snowflake' }),
    exitCode: 2,
    says: () => /^spotify-pipeline: --warehouse snowflake: .*\n {2}what to do: /,
  },
  {
    name: '--out names a folder that does not exist',
    commands: ['generate', 'dashboard'],
    where: (f, w) => ({ ...w, out: join(f.workDir, 'no-such-folder', 'out.file') }),
    exitCode: 2,
    says: () =>
      /^spotify-pipeline: cannot write --out \S+no-such-folder\/out\.file \(ENOENT\): there is no such file or folder\n {2}what to do: give a path in a folder that exists/,
  },
  {
    name: "another program holds the local S3 server's port",
    commands: ['local up', 'demo'],
    where: (f, w) => ({
      ...w,
      environment: { ...w.environment, SPOTIFY_PIPELINE_S3_PORT: String(f.foreignPort) },
    }),
    exitCode: 2,
    says: (f) =>
      new RegExp(
        `spotify-pipeline: port ${f.foreignPort} on 127\\.0\\.0\\.1 is taken by a program that does not answer as an S3 server\\n(.*\\n)? {2}what to do: stop that program`,
      ),
  },
];

const CELLS = FAILURE_CLASSES.flatMap((failure) =>
  failure.commands.map((command) => ({ failure, command, name: `${command}: ${failure.name}` })),
);

describe('every failure a user can cause, for every command it applies to: one clear message and an exit code, no stack trace', () => {
  let fixture: Fixture;
  let stoppedMoto: OwnMoto;
  let iamMoto: OwnMoto;
  let held: HeldWarehouse;
  let foreign: Server;
  let snowflake: FakeSnowflakeServer;
  let cell = 0;

  beforeAll(async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'failure-table-'));
    const [closedPort, stoppedPort, iamPort, foreignPort] = await freeLoopbackPorts(4);
    const bucket = uniqueName('failure-table');
    const topic = uniqueName('failure-table');
    await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
    const admin = localKafka('failure-table').admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    // A warehouse with gold tables (a run over an empty lake), for the commands that read gold.
    const ready = join(workDir, 'ready.duckdb');
    const run = await runCli([
      'run',
      '--bucket',
      bucket,
      '--s3-endpoint',
      inject('s3Endpoint'),
      '--warehouse',
      `duckdb:${ready}`,
    ]);
    expect(run.exitCode, run.stderr).toBe(0);

    writeFileSync(join(workDir, 'events.ndjson'), '{"event_id":"e-1"}\n');
    await writeDamagedWarehouse(join(workDir, 'damaged.duckdb'));
    const newerStorageVersion = await writeWarehouseOfNewerDuckDb(join(workDir, 'newer.duckdb'));
    const heldWarehouse = join(workDir, 'held.duckdb');
    copyFileSync(ready, heldWarehouse);
    held = await holdWarehouseOpen(heldWarehouse);

    stoppedMoto = await startOwnMoto({ port: stoppedPort!, patches: [] });
    await new S3Client({
      endpoint: stoppedMoto.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: localS3Credentials,
    }).send(new CreateBucketCommand({ Bucket: bucket }));
    await new Promise((resolve) => {
      stoppedMoto.process.once('exit', resolve);
      stoppedMoto.stop();
    });
    iamMoto = await startOwnMoto({
      port: iamPort!,
      patches: [],
      environment: { INITIAL_NO_AUTH_ACTION_COUNT: '0' },
    });

    // A program that answers every connection with text that is neither Kafka nor S3.
    foreign = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end('SSH-2.0-not-a-service\r\n');
    });
    await new Promise<void>((resolve) => foreign.listen(foreignPort, '127.0.0.1', resolve));

    snowflake = new FakeSnowflakeServer();
    snowflake.refuseLogins(Number.MAX_SAFE_INTEGER);
    const snowflakeRefusing = await localWarehouseEnvironment(inject('s3Endpoint'), await snowflake.start());
    const snowflakeUnreachable = await localWarehouseEnvironment(
      inject('s3Endpoint'),
      `http://127.0.0.1:${closedPort}`,
    );
    const secretOf = (environment: Record<string, string>) => ({
      ...environment,
      SNOWFLAKE_SECRET_ID: environment.SNOWFLAKE_SECRET_ARN,
    });

    fixture = {
      healthy: {
        brokers: inject('kafkaBrokers'),
        topic,
        bucket,
        s3Endpoint: inject('s3Endpoint'),
        warehouse: `duckdb:${ready}`,
        out: join(workDir, 'out.file'),
        environment: {},
      },
      closedPort: closedPort!,
      stoppedS3: stoppedMoto.endpoint,
      iamEnforcingS3: iamMoto.endpoint,
      foreignPort: foreignPort!,
      workDir,
      newerStorageVersion,
      heldWarehouse,
      snowflakeRefusing: secretOf(snowflakeRefusing),
      snowflakeUnreachable: secretOf(snowflakeUnreachable),
    };
  }, 240_000);

  afterAll(async () => {
    await held?.release();
    iamMoto?.stop();
    foreign?.close();
    await snowflake?.stop();
    if (fixture !== undefined) rmSync(fixture.workDir, { recursive: true, force: true });
  });

  // Concurrent: most of a cell's time is a process starting or a client giving up, not this machine's CPU.
  it.concurrent.for(CELLS)('$name', async ({ failure, command }, { expect }) => {
    // Each cell writes its own copy of the ready warehouse, so a command that changes it cannot
    // change what the next one sees.
    const healthy: Where = {
      ...fixture.healthy,
      warehouse: `duckdb:${join(fixture.workDir, `cell-${++cell}.duckdb`)}`,
    };
    copyFileSync(
      fixture.healthy.warehouse.slice('duckdb:'.length),
      healthy.warehouse.slice('duckdb:'.length),
    );
    const where = failure.where(fixture, healthy);

    const run = await runCli(COMMANDS[command](where), where.environment);

    expect(run.stderr).toMatch(failure.says(fixture));
    expect(run.exitCode, run.stderr).toBe(failure.exitCode);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stderr).not.toContain('unexpected failure');
  });

  it('GIVEN --verbose THEN the same message comes with the stack, for a bug report', async () => {
    const where = { ...fixture.healthy, bucket: 'no-such-lake-bucket' };

    const run = await runCli([...COMMANDS.load(where), '--verbose']);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^spotify-pipeline: --bucket no-such-lake-bucket: there is no such bucket/);
    expect(run.stderr).toMatch(STACK_FRAME);
  });

  it('GIVEN a failure no rule explains THEN it is an unexpected failure, with what there is of its stack and a request to report it', async () => {
    // A warehouse whose gold tables were dropped under a view the report reads: a state no command
    // leaves, so nothing explains it.
    const broken = join(fixture.workDir, 'broken.duckdb');
    copyFileSync(fixture.healthy.warehouse.slice('duckdb:'.length), broken);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(broken);
    const connection = await instance.connect();
    await connection.run('ALTER TABLE gold.top_songs RENAME COLUMN song_id TO renamed_song_id');
    connection.closeSync();
    instance.closeSync();

    const run = await runCli(['report', '--warehouse', `duckdb:${broken}`]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^spotify-pipeline: unexpected failure: Error: Binder Error: .*song_id/);
    expect(run.stderr).toContain('This is a bug in spotify-pipeline: please report it');
  });
});
