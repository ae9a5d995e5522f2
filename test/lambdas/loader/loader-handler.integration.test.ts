import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import { localS3Credentials } from '../../../local/services/endpoints.js';
import { aPrivateKeyPem, FakeSnowflakeServer } from '../../support/fake-snowflake-server.js';
import { aListeningEventRecord } from '../../support/listening-event-factory.js';
import { localS3, uniqueName } from '../../support/local-clients.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';

describe('the loader Lambda handler', () => {
  const lakeFile =
    'date=2026-06-01/hour=07/spotify-events+0+00000000000000000003-00000000000000000003.ndjson.gz';
  // Snowflake's side of the load: the ledger is empty, and the file brings one new row.
  const snowflake = new FakeSnowflakeServer((statement) => {
    if (statement.sql.includes('FROM bronze.load_ledger')) return { columns: ['FILE_KEY'], rows: [] };
    if (statement.sql.includes('AS staged_rows'))
      return { columns: ['SOURCE_FILE', 'STAGED_ROWS'], rows: [[`bronze/${lakeFile}`, 1]] };
    if (statement.sql.includes('AS new_rows'))
      return {
        columns: ['SOURCE_FILE', 'EVENT_DAY', 'NEW_ROWS'],
        rows: [[`bronze/${lakeFile}`, '2026-06-01', 1]],
      };
    return undefined;
  });
  afterAll(() => snowflake.stop());

  it('GIVEN its environment, the Snowflake secret and the transformation state machine WHEN the hourly rule fires THEN it COPYs the closed hours’ new files and starts one transformation run with the load’s summary: none while a run is going, none again when Lambda retries the invocation', async () => {
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
    const awsApi = {
      endpoint: inject('s3Endpoint'),
      region: 'us-east-1',
      credentials: localS3Credentials,
    };
    const secrets = new SecretsManagerClient(awsApi);
    const stepFunctions = new SFNClient(awsApi);
    const { stateMachineArn } = await stepFunctions.send(
      new CreateStateMachineCommand({
        name: uniqueName('transformation'),
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
        roleArn: 'arn:aws:iam::123456789012:role/transformation',
      }),
    );
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
      AWS_ENDPOINT_URL_SFN: inject('s3Endpoint'),
      TRANSFORMATION_STATE_MACHINE_ARN: stateMachineArn,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: localS3Credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localS3Credentials.secretAccessKey,
    });

    // Act
    const { handler } = await import('../../../lambdas/loader/handler.js');
    const trigger = { time: '2026-06-01T09:05:00Z' };
    const invocation = { awsRequestId: 'c0ffee00-0000-4000-8000-000000000001' };
    const summary = await handler(trigger, invocation);
    const executionNames = async () => {
      const { executions } = await stepFunctions.send(new ListExecutionsCommand({ stateMachineArn }));
      return (executions ?? []).map((execution) => execution.name).sort();
    };
    const first = `load-${invocation.awsRequestId}`;
    expect(await executionNames()).toEqual([first]);
    // The next load while that run is going starts none.
    await handler(trigger, { awsRequestId: 'c0ffee00-0000-4000-8000-000000000002' });
    expect(await executionNames()).toEqual([first]);
    // Lambda retrying the first invocation after its run ended starts none either: the name is taken.
    const { executions } = await stepFunctions.send(new ListExecutionsCommand({ stateMachineArn }));
    await stepFunctions.send(new StopExecutionCommand({ executionArn: executions![0]!.executionArn }));
    await handler(trigger, invocation);
    expect(await executionNames()).toEqual([first]);
    // A new load with no run going starts one.
    await handler(trigger, { awsRequestId: 'c0ffee00-0000-4000-8000-000000000003' });
    expect(await executionNames()).toEqual([first, 'load-c0ffee00-0000-4000-8000-000000000003']);

    // Assess
    expect(summary).toMatchObject({ filesLoaded: 1, rowsInserted: 1, daysTouched: ['2026-06-01'] });
    expect(snowflake.logins).toHaveLength(4);
    expect(new Set(snowflake.logins.map((login) => JSON.stringify(login)))).toEqual(
      new Set([JSON.stringify({ user: 'SPOTIFY_PIPELINE_LOADER', authenticator: 'SNOWFLAKE_JWT' })]),
    );
    const copy = snowflake.sqlSent().find((sql) => sql.startsWith('COPY INTO bronze.load_staging'));
    expect(copy).toContain(`FILES = ('${lakeFile}')`);
    expect(snowflake.sqlSent().at(-1)).toBe('COMMIT');
    const execution = await stepFunctions.send(
      new DescribeExecutionCommand({ executionArn: executions![0]!.executionArn }),
    );
    expect(JSON.parse(execution.input!)).toEqual({ fullRefresh: false, load: summary });
  });
});
