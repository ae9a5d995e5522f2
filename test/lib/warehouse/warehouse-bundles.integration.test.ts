import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readSqlStatement } from '../../../lambdas/shared/transform/sql-files.js';
import { localS3Credentials } from '../../../local/services/endpoints.js';
import {
  aPrivateKeyPem,
  type CapturedStatement,
  FakeSnowflakeServer,
} from '../../support/fake-snowflake-server.js';
import { localS3, uniqueName } from '../../support/local-clients.js';
import { buildPipelineFor } from '../../support/pipeline-app.js';

/** What a child process running a bundle's handler printed: its result, or its error's name and message. */
interface Invocation {
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

// The deployed code, exactly: the app is synthesized as `cdk deploy` would, and each function's
// asset folder (esbuild's bundle plus the copy of sql/) is run with plain Node, outside this
// repository's node_modules, against the S3 server, its Secrets Manager and a Snowflake endpoint.
describe('the warehouse functions as bundled for deployment', () => {
  let assets: { loader: string; sqlRunner: string };
  /** Each function's environment as the template sets it: the plain values (ARNs and names are local here). */
  let templateEnvironment: { loader: Record<string, string>; sqlRunner: Record<string, string> };
  let failingRows = 0;
  const snowflake = new FakeSnowflakeServer((statement: CapturedStatement) => {
    if (statement.sql.includes('AS failing_rows'))
      return { columns: ['FAILING_ROWS'], rows: [[failingRows]] };
    if (statement.sql.includes('LIMIT 5'))
      return { columns: ['SONG_ID', 'SKIP_RATE'], rows: [['song_1', 1.5]] };
    if (statement.sql.includes('FROM bronze.load_ledger')) return { columns: ['FILE_KEY'], rows: [] };
    return undefined;
  });
  const environment: Record<string, string> = {};

  beforeAll(async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    const { app, stacks } = buildPipelineFor('dev', { 'aws:cdk:enable-asset-metadata': true }, { outdir });
    app.synth();
    const assetOf = (fn: NodejsFunction) =>
      join(outdir, (fn.node.defaultChild as CfnFunction).cfnOptions.metadata!['aws:asset:path'] as string);
    assets = {
      loader: assetOf(stacks.warehouse.loader.function),
      sqlRunner: assetOf(stacks.warehouse.sqlRunner.function),
    };
    const plainVariables = (fn: NodejsFunction) => {
      const variables = stacks.warehouse.resolve((fn.node.defaultChild as CfnFunction).environment) as {
        variables?: Record<string, unknown>;
      };
      return Object.fromEntries(
        Object.entries(variables.variables ?? {}).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      );
    };
    templateEnvironment = {
      loader: plainVariables(stacks.warehouse.loader.function),
      sqlRunner: plainVariables(stacks.warehouse.sqlRunner.function),
    };

    const accessUrl = await snowflake.start();
    const secrets = new SecretsManagerClient({
      endpoint: inject('s3Endpoint'),
      region: 'us-east-1',
      credentials: localS3Credentials,
    });
    const secretName = uniqueName('snowflake');
    await secrets.send(
      new CreateSecretCommand({
        Name: secretName,
        SecretString: JSON.stringify({
          account: 'org-acct',
          user: 'SPOTIFY_PIPELINE',
          private_key: aPrivateKeyPem(),
          warehouse: 'WH',
          database: 'SPOTIFY',
          role: 'SPOTIFY_PIPELINE',
          access_url: accessUrl,
        }),
      }),
    );
    Object.assign(environment, {
      SNOWFLAKE_SECRET_ARN: secretName,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: inject('s3Endpoint'),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: localS3Credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localS3Credentials.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  }, 300_000);
  afterAll(() => snowflake.stop());

  /** Runs the bundle's handler in a fresh Node process, with sql/ where the bundle put it. */
  function invoke(asset: string, event: unknown, extraEnvironment: Record<string, string> = {}) {
    const script = `require(process.argv[1]).handler(JSON.parse(process.argv[2]), { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 900000 })
      .then((result) => process.stdout.write(JSON.stringify({ result })),
            (error) => process.stdout.write(JSON.stringify({ error: { name: error.name, message: error.message } })));`;
    return new Promise<Invocation>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script, join(asset, 'index.js'), JSON.stringify(event)], {
        cwd: tmpdir(),
        env: {
          PATH: process.env.PATH,
          ...(asset === assets.loader ? templateEnvironment.loader : templateEnvironment.sqlRunner),
          ...environment,
          SQL_DIR: join(asset, 'sql'),
          ...extraEnvironment,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', () => {
        // Powertools logs JSON lines to stdout too; the outcome is written last, after the last newline.
        const outcome = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(
            JSON.parse(
              outcome.slice(
                outcome.lastIndexOf('{"result"') >= 0
                  ? outcome.lastIndexOf('{"result"')
                  : outcome.lastIndexOf('{"error"'),
              ),
            ),
          );
        } catch {
          reject(new Error(`the bundle printed no outcome: ${stdout}\n${stderr}`));
        }
      });
    });
  }

  it('GIVEN the synthesized app THEN each function asset holds its bundle and the sql/ the tests checked', () => {
    for (const asset of [assets.loader, assets.sqlRunner]) {
      expect(existsSync(join(asset, 'index.js'))).toBe(true);
      expect(readFileSync(join(asset, 'sql', 'manifest.json'), 'utf8')).toBe(
        readFileSync(join('sql', 'manifest.json'), 'utf8'),
      );
    }
  });

  it('GIVEN a model step WHEN the bundled SQL runner runs it THEN it logs in with the key pair and runs the model in one transaction', async () => {
    snowflake.statements.length = 0;
    const outcome = await invoke(assets.sqlRunner, {
      kind: 'model',
      model: 'gold.top_songs',
      fullRefresh: false,
      batchId: 'execution-1',
    });
    expect(outcome).toEqual({
      result: { kind: 'model', model: 'gold.top_songs', statements: 1, alreadyDone: false },
    });
    const sent = snowflake.sqlSent();
    const begin = sent.indexOf('BEGIN');
    const topSongs = readSqlStatement(join(assets.sqlRunner, 'sql'), 'gold/top_songs.sql');
    expect(topSongs).toContain('CREATE OR REPLACE TABLE gold.top_songs');
    expect(sent).toContain('ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 840, LOCK_TIMEOUT = 840');
    // In one transaction: is the step recorded for the batch? Its SQL, then its record.
    expect(sent[begin + 1]).toContain(
      'SELECT COUNT(*) AS done FROM silver.batch_steps WHERE batch_id = ? AND step = ?',
    );
    expect(sent[begin + 2]).toBe(topSongs.replace(/\s+/g, ' ').trim());
    expect(sent[begin + 3]).toContain(
      'INSERT INTO silver.batch_steps (batch_id, step, finished_at) VALUES (?, ?, ?)',
    );
    expect(sent[begin + 4]).toBe('COMMIT');
  });

  it('GIVEN a data-quality test that finds rows WHEN the bundled SQL runner runs it THEN it fails with DataQualityError, naming the test and a sample', async () => {
    failingRows = 2;
    const outcome = await invoke(assets.sqlRunner, { kind: 'test', test: 'gold_skip_rate_consistent' });
    failingRows = 0;
    expect(outcome.error?.name).toBe('DataQualityError');
    expect(outcome.error?.message).toMatch(/gold_skip_rate_consistent: 2 failing row\(s\)/);
    expect(outcome.error?.message).toContain('song_1');
  });

  it('GIVEN an empty lake WHEN the bundled loader runs THEN it asks where its last listing of arrivals got to and loads nothing', async () => {
    const bucket = uniqueName('lake');
    await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
    const outcome = await invoke(
      assets.loader,
      { runId: 'execution-1' },
      { LAKE_BUCKET: bucket, LAKE_S3_ENDPOINT: inject('s3Endpoint') },
    );
    expect(outcome).toEqual({
      result: {
        filesFound: 0,
        filesLoaded: 0,
        filesLeftForNextRun: 0,
        rowsInFiles: 0,
        rowsInserted: 0,
        linesRejected: 0,
        filesReadLineByLine: 0,
        daysTouched: [],
        loadIds: [],
        manifestsRecorded: 0,
        skipped: [],
      },
    });
    expect(snowflake.sqlSent().some((sql) => sql.includes('MAX(arrived_at)'))).toBe(true);
  });
});
