import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import { localS3Credentials } from '../../../local/services/endpoints.js';
import { aPrivateKeyPem } from '../../support/fake-snowflake-server.js';
import { aListeningEventRecord } from '../../support/listening-event-factory.js';
import { localS3, uniqueName } from '../../support/local-clients.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';
import { SnowflakeOverDuckDb } from '../../support/snowflake-over-duckdb.js';

describe('the loader Lambda handler', () => {
  const lakeFile =
    'date=2026-06-01/hour=07/spotify-events+0+00000000000000000003-00000000000000000003.ndjson.gz';
  let snowflake: SnowflakeOverDuckDb | undefined;
  afterAll(() => snowflake?.stop());

  it('GIVEN its environment, the Snowflake secret and a lake file that arrived WHEN the state machine invokes it with its run id THEN it sets the session timeouts, COPYs the arrived file, records the load under the run id and starts nothing else', async () => {
    // Prepare: a lake with one batch consumed (its object and arrival manifest), a secret in
    // Secrets Manager, the function's environment as the construct sets it.
    const bucket = uniqueName('lake');
    await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
    await consumeBatch(
      anMskEvent([
        anMskRecord({
          offset: 3,
          value: JSON.stringify(aListeningEventRecord({ timestamp: '2026-06-01T07:30:00Z' })),
        }),
      ]),
      { s3: localS3(), bucket },
      Date.now(),
    );
    const secrets = new SecretsManagerClient({
      endpoint: inject('s3Endpoint'),
      region: 'us-east-1',
      credentials: localS3Credentials,
    });
    const secretName = uniqueName('snowflake');
    snowflake = await SnowflakeOverDuckDb.open(':memory:', { s3: localS3(), bucket });
    const accessUrl = await snowflake.start();
    await secrets.send(
      new CreateSecretCommand({
        Name: secretName,
        SecretString: JSON.stringify({
          account: 'org-acct',
          user: 'SPOTIFY_PIPELINE_LOADER',
          private_key: aPrivateKeyPem(),
          warehouse: 'WH',
          database: 'SPOTIFY',
          role: 'SPOTIFY_PIPELINE',
          access_url: accessUrl,
        }),
      }),
    );
    Object.assign(process.env, {
      LAKE_BUCKET: bucket,
      LAKE_S3_ENDPOINT: inject('s3Endpoint'),
      SNOWFLAKE_SECRET_ARN: secretName,
      SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: '840',
      SNOWFLAKE_LOCK_TIMEOUT_SECONDS: '840',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: inject('s3Endpoint'),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: localS3Credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localS3Credentials.secretAccessKey,
    });

    // Act
    const { handler } = await import('../../../lambdas/loader/handler.js');
    const summary = await handler(
      { runId: 'execution-7' },
      { awsRequestId: 'c0ffee00-0000-4000-8000-000000000001', getRemainingTimeInMillis: () => 900_000 },
    );

    // Assess
    expect(summary).toMatchObject({
      filesLoaded: 1,
      rowsInserted: 1,
      daysTouched: ['2026-06-01'],
      skipped: [],
    });
    expect(summary.loadIds).toEqual(['execution-7/1']);
    expect(snowflake.server.logins).toEqual([
      { user: 'SPOTIFY_PIPELINE_LOADER', authenticator: 'SNOWFLAKE_JWT' },
    ]);
    const sent = snowflake.server.sqlSent();
    expect(snowflake.sessionSettings).toContain(
      'ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 840, LOCK_TIMEOUT = 840',
    );
    expect(
      sent.some((sql) => sql.startsWith('CREATE TEMPORARY TABLE IF NOT EXISTS bronze.load_staging')),
    ).toBe(true);
    const copy = sent.find((sql) => sql.startsWith('COPY INTO bronze.load_staging'));
    expect(copy).toContain(`FILES = ('${lakeFile}')`);
    // The lock is the transaction's first statement, and the arrival is recorded after the commit.
    const begin = sent.indexOf('BEGIN');
    expect(sent[begin + 1]).toMatch(/^UPDATE bronze\.load_lock/);
    expect(sent.findIndex((sql) => sql.startsWith('INSERT INTO bronze.load_arrivals'))).toBeGreaterThan(
      sent.indexOf('COMMIT'),
    );
    const reader = await snowflake.reader();
    try {
      expect(await reader.query('SELECT source_file, load_id FROM bronze.listening_events')).toEqual([
        { source_file: `bronze/${lakeFile}`, load_id: 'execution-7/1' },
      ]);
      expect(await reader.query('SELECT COUNT(*) AS manifests FROM bronze.load_arrivals')).toEqual([
        { manifests: 1 },
      ]);
    } finally {
      await reader.close();
    }
  });
});
