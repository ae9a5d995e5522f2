import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import { localS3Credentials } from '../../../local/services/endpoints.js';
import { aPrivateKeyPem, FakeSnowflakeServer } from '../../support/fake-snowflake-server.js';
import { aListeningEventRecord } from '../../support/listening-event-factory.js';
import { localS3, uniqueName } from '../../support/local-clients.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';

describe('the loader Lambda handler', () => {
  const snowflake = new FakeSnowflakeServer((statement) =>
    statement.sql.includes('FROM bronze.load_ledger') ? { columns: ['FILE_KEY'], rows: [] } : undefined,
  );
  afterAll(() => snowflake.stop());

  it('GIVEN its environment and the Snowflake secret WHEN the hourly rule fires THEN it reads the secret, logs in with the key pair and COPYs the closed hours’ new files', async () => {
    // Prepare: a lake with one closed hour, a secret in Secrets Manager, the function's environment.
    const bucket = uniqueName('lake');
    await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
    await consumeBatch(
      anMskEvent([
        anMskRecord({
          offset: 3,
          value: JSON.stringify(aListeningEventRecord({ timestamp: '2026-06-01T07:30:00Z' })),
        }),
      ]),
      {
        s3: localS3(),
        bucket,
      },
    );
    const secrets = new SecretsManagerClient({
      endpoint: inject('s3Endpoint'),
      region: 'us-east-1',
      credentials: localS3Credentials,
    });
    const secretName = uniqueName('snowflake');
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
      AWS_ENDPOINT_URL_SECRETS_MANAGER: inject('s3Endpoint'),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: localS3Credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localS3Credentials.secretAccessKey,
    });

    // Act
    const { handler } = await import('../../../lambdas/loader/handler.js');
    const summary = await handler({ time: '2026-06-01T09:05:00Z' });

    // Assess
    expect(summary).toMatchObject({ filesLoaded: 1 });
    expect(snowflake.logins).toEqual([{ user: 'SPOTIFY_PIPELINE_LOADER', authenticator: 'SNOWFLAKE_JWT' }]);
    const copy = snowflake.sqlSent().find((sql) => sql.startsWith('COPY INTO bronze.load_staging'));
    expect(copy).toContain(
      "FILES = ('date=2026-06-01/hour=07/spotify-events+0+00000000000000000003-00000000000000000003.ndjson.gz')",
    );
    expect(snowflake.sqlSent().at(-1)).toBe('COMMIT');
  });
});
