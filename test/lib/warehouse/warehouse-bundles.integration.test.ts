import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import { generateEventLines } from '../../../lambdas/producer/generator/generate-events.js';
import { readGoldReport } from '../../../lambdas/shared/transform/gold-report.js';
import {
  loadTransformationManifest,
  planWaves,
} from '../../../lambdas/shared/transform/transformation-manifest.js';
import { localS3Credentials } from '../../../local/services/endpoints.js';
import { validGeneratedEvents } from '../../lambdas/shared/transform/bronze-fixture.js';
import { comparable, expectedGold } from '../../lambdas/shared/transform/expected-gold.js';
import { aPrivateKeyPem } from '../../support/fake-snowflake-server.js';
import { localS3, uniqueName } from '../../support/local-clients.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';
import { buildPipelineFor } from '../../support/pipeline-app.js';
import { SnowflakeOverDuckDb } from '../../support/snowflake-over-duckdb.js';

/** The lake's events: a few days of listening, 3% faults (malformed ones go to quarantine, duplicates reach the lake). */
const EVENTS = { seed: 29, count: 1_200, users: 25, songs: 8, faultRate: 0.03, eventsPerSecond: 0.005 };

/** What a child process running a bundle's handler printed: its result, or its error's name and message. */
interface Invocation {
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

// The deployed code, exactly: the app is synthesized as `cdk deploy` would, and each function's
// asset folder (esbuild's bundle plus the copy of sql/) is run with plain Node, outside this
// repository's node_modules, against the S3 server, its Secrets Manager and a Snowflake endpoint
// whose statements run on DuckDB.
describe('the warehouse functions as bundled for deployment', () => {
  let assets: { loader: string; sqlRunner: string };
  /** Each function's environment as the template sets it: the plain values (ARNs and names are local here). */
  let templateEnvironment: { loader: Record<string, string>; sqlRunner: Record<string, string> };
  let snowflake: SnowflakeOverDuckDb;
  let bucket: string;
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

    bucket = uniqueName('lake');
    await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
    const lines = [...generateEventLines(EVENTS)].map((line) => line.text);
    for (let start = 0; start < lines.length; start += 200) {
      const records = lines
        .slice(start, start + 200)
        .map((value, index) => anMskRecord({ offset: start + index, value, timestamp: Date.now() }));
      await consumeBatch(anMskEvent(records), { s3: localS3(), bucket }, Date.now());
    }
    snowflake = await SnowflakeOverDuckDb.open(':memory:', { s3: localS3(), bucket });
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
  afterAll(() => snowflake?.stop());

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

  it('GIVEN the arrived lake WHEN the bundled loader, then the bundled SQL runner for pending work, every model wave by wave and every test run as one execution would THEN gold holds what the events give', async () => {
    // Act
    const load = await invoke(
      assets.loader,
      { runId: 'execution-1' },
      { LAKE_BUCKET: bucket, LAKE_S3_ENDPOINT: inject('s3Endpoint') },
    );
    const work = await invoke(assets.sqlRunner, { kind: 'pending-work', batchId: 'execution-1' });
    const manifest = loadTransformationManifest(join(assets.sqlRunner, 'sql'));
    const models: Invocation[] = [];
    for (const wave of planWaves(manifest))
      models.push(
        ...(await Promise.all(
          wave.map((model) =>
            invoke(assets.sqlRunner, {
              kind: 'model',
              model: model.name,
              fullRefresh: false,
              batchId: 'execution-1',
            }),
          ),
        )),
      );
    const tests = await Promise.all(
      manifest.tests.map((test) =>
        invoke(assets.sqlRunner, { kind: 'test', test: test.name, batchId: 'execution-1' }),
      ),
    );

    // Assess
    const { events } = validGeneratedEvents(EVENTS);
    expect(load.result).toMatchObject({
      rowsInserted: events.length,
      skipped: [],
      loadIds: ['execution-1/1'],
    });
    expect(work.result).toEqual({ kind: 'pending-work', hasWork: true, unclaimedLoads: 1, pendingDays: 0 });
    expect(models.map((model) => model.error)).toEqual(models.map(() => undefined));
    expect(tests.map((test) => test.result)).toEqual(
      manifest.tests.map((test) => ({ kind: 'test', test: test.name, failingRows: 0 })),
    );
    // The session's timeouts came from the template: its timeout, less 60 s.
    expect(snowflake.sessionSettings).toContain(
      `ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = ${templateEnvironment.loader.SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS}, LOCK_TIMEOUT = ${templateEnvironment.loader.SNOWFLAKE_LOCK_TIMEOUT_SECONDS}`,
    );
    const reader = await snowflake.reader();
    try {
      expect(comparable(await readGoldReport(reader))).toEqual(comparable(expectedGold(events)));
    } finally {
      await reader.close();
    }
  });

  it('GIVEN a model the batch ran WHEN the bundled SQL runner is invoked for it again (a retry) THEN it runs nothing, and a new load leaves nothing pending', async () => {
    const again = await invoke(assets.sqlRunner, {
      kind: 'model',
      model: 'silver.listening_events',
      fullRefresh: false,
      batchId: 'execution-1',
    });
    const work = await invoke(assets.sqlRunner, { kind: 'pending-work', batchId: 'execution-2' });

    expect(again.result).toEqual({
      kind: 'model',
      model: 'silver.listening_events',
      statements: 0,
      alreadyDone: true,
    });
    expect(work.result).toEqual({ kind: 'pending-work', hasWork: false, unclaimedLoads: 0, pendingDays: 0 });
  });

  it('GIVEN silver holding an event twice WHEN the bundled SQL runner runs the unique test THEN it fails with DataQualityError, naming the test and the event', async () => {
    const reader = await snowflake.reader();
    let duplicated: string;
    try {
      const [row] = await reader.query<{ event_id: string }>(
        'SELECT event_id FROM silver.listening_events ORDER BY event_id LIMIT 1',
      );
      duplicated = row!.event_id;
      await reader.execute(
        'INSERT INTO silver.listening_events SELECT * FROM silver.listening_events WHERE event_id = ?',
        [duplicated],
      );
    } finally {
      await reader.close();
    }

    const outcome = await invoke(assets.sqlRunner, {
      kind: 'test',
      test: 'silver_listening_events_unique_event_id',
    });

    expect(outcome.error?.name).toBe('DataQualityError');
    expect(outcome.error?.message).toMatch(/silver_listening_events_unique_event_id: 1 failing row\(s\)/);
    expect(outcome.error?.message).toContain(duplicated);
  });
});
