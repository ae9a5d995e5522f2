import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEventLines } from '../../../lambdas/producer/generator/generate-events.js';
import {
  type DeployedValues,
  permissionsOfRole,
  type RolePermissions,
  resolveIntrinsics,
} from '../../support/cloudformation-template.js';
import {
  type DeployedFunction,
  invokeBundle,
  localWarehouseEnvironment,
  synthesizedPipeline,
} from '../../support/deployed-functions.js';
import { type StatementJson, statementNamesAction } from '../../support/iam-statements.js';
import { uniqueName } from '../../support/local-clients.js';
import {
  ACCOUNT,
  type Credentials,
  deniedByResourcePolicy,
  MotoWithEnforcedIam,
  type Principal,
  REGION,
} from '../../support/moto-with-enforced-iam.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';
import { oneLoadPending } from '../../support/pending-work.js';
import { SnowflakeOverDuckDb } from '../../support/snowflake-over-duckdb.js';

/** Events of one consumed batch: valid ones, and one record that is not JSON (quarantined). */
const BATCH = { count: 40, users: 5, songs: 4, faultRate: 0, eventsPerSecond: 0.05 };

// What each deployed function's code does, run as `cdk deploy` ships it (the synthesized asset, in
// plain Node) against a moto that authorises every request against the caller's IAM policies,
// signed as a principal holding exactly the statements the synthesized role has, its references
// resolved to this moto's bucket and secret. A call the role does not grant is refused, and the
// test names its action.
describe('the deployed functions under the IAM their roles grant', () => {
  let pipeline: ReturnType<typeof synthesizedPipeline>;
  let aws: MotoWithEnforcedIam;
  let snowflake: SnowflakeOverDuckDb;
  let bucket: string;
  let deployed: DeployedValues;
  let warehouseEnvironment: Record<string, string>;
  let nextOffset = 0;

  const s3As = (credentials: Credentials) =>
    new S3Client({ endpoint: aws.endpoint, region: REGION, forcePathStyle: true, credentials });
  const credentialsEnvironment = (principal: Principal) => ({
    AWS_ACCESS_KEY_ID: principal.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: principal.credentials.secretAccessKey,
    AWS_REGION: REGION,
  });

  /**
   * A principal holding `permissions` as synthesized, resolved to this moto: with `without`, the
   * same less that one action, taken out of every statement that names it.
   */
  async function principalWith(permissions: RolePermissions, stackName: string, without?: string) {
    const statements = (resolveIntrinsics(permissions.statements, stackName, deployed) as StatementJson[])
      .map((statement) => ({
        ...statement,
        Action: [statement.Action ?? []].flat().filter((action) => action !== without),
      }))
      .filter((statement) => statement.Action.length > 0);
    if (without !== undefined && statements.some((statement) => statementNamesAction(statement, without)))
      throw new Error(`${without} is also granted by a wildcard action of ${permissions.role}`);
    const managedPolicyArns = resolveIntrinsics(
      permissions.managedPolicyArns,
      stackName,
      deployed,
    ) as string[];
    const principal = await aws.principal(uniqueName(permissions.role), statements, managedPolicyArns);
    return { principal, statements };
  }

  /** A fresh batch of events as the MSK event source would deliver it. */
  function aBatch(seed: number) {
    const lines = [...generateEventLines({ ...BATCH, seed })].map((line) => line.text);
    const records = [...lines, 'this record is not JSON'].map((value) =>
      anMskRecord({ offset: nextOffset++, value, timestamp: Date.now() }),
    );
    return anMskEvent(records);
  }

  const logicalIdOf = (construct: IConstruct) =>
    Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

  beforeAll(async () => {
    pipeline = synthesizedPipeline('dev');
    aws = await MotoWithEnforcedIam.start();
    bucket = uniqueName('lake');
    await s3As(aws.administrator).send(new CreateBucketCommand({ Bucket: bucket }));
    snowflake = await SnowflakeOverDuckDb.open(':memory:', { s3: s3As(aws.administrator), bucket });
    warehouseEnvironment = await localWarehouseEnvironment(
      aws.endpoint,
      await snowflake.start(),
      aws.administrator,
    );
    const stateful = pipeline.stacks.stateful;
    const typed = (type: string) =>
      Object.entries(pipeline.templates[stateful.stackName]!.Resources).find(
        ([, resource]) => resource.Type === type,
      )![0];
    const clusterArn = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/local-events/00000000-0000-0000-0000-000000000000-1`;
    deployed = {
      partition: 'aws',
      region: REGION,
      account: ACCOUNT,
      templates: pipeline.templates,
      resources: {
        [stateful.stackName]: {
          [logicalIdOf(stateful.lake.bucket)]: { Ref: bucket, Arn: `arn:aws:s3:::${bucket}` },
          [logicalIdOf(stateful.snowflake.credentials)]: { Ref: warehouseEnvironment.SNOWFLAKE_SECRET_ARN! },
          [typed('AWS::MSK::Cluster')]: { Arn: clusterArn },
          [typed('AWS::MSK::Topic')]: {
            TopicArn: `arn:aws:kafka:${REGION}:${ACCOUNT}:topic/local-events/00000000-0000-0000-0000-000000000000-1/spotify-events`,
          },
        },
      },
    };
  }, 300_000);
  afterAll(async () => {
    await snowflake?.stop();
    aws?.stop();
  });

  it('GIVEN a principal allowed one secret, one prefix and its listing WHEN it reads them and beyond THEN moto refuses the rest, and each call beyond is named with its action', async () => {
    // GIVEN
    const admin = new SecretsManagerClient({
      endpoint: aws.endpoint,
      region: REGION,
      credentials: aws.administrator,
    });
    const other = await admin.send(new CreateSecretCommand({ Name: uniqueName('other'), SecretString: 'x' }));
    const statements: StatementJson[] = [
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: warehouseEnvironment.SNOWFLAKE_SECRET_ARN,
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { StringLike: { 's3:prefix': ['arrivals/*'] } },
      },
    ];
    const principal = await aws.principal(uniqueName('probe'), statements, []);
    const secrets = new SecretsManagerClient({
      endpoint: aws.endpoint,
      region: REGION,
      credentials: principal.credentials,
    });
    const s3 = s3As(principal.credentials);

    // WHEN
    // One after another, so that the decisions come in this order.
    const outcomes: string[] = [];
    for (const call of [
      () => secrets.send(new GetSecretValueCommand({ SecretId: warehouseEnvironment.SNOWFLAKE_SECRET_ARN })),
      () => secrets.send(new GetSecretValueCommand({ SecretId: other.ARN })),
      () => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'arrivals/' })),
      () => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'bronze/' })),
    ])
      outcomes.push(
        await call().then(
          () => 'fulfilled',
          () => 'rejected',
        ),
      );

    // THEN
    expect(outcomes).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await aws.refusedCalls(principal, statements)).toEqual([
      `secretsmanager:GetSecretValue on ${other.ARN}: refused by moto`,
      `s3:ListBucket on arn:aws:s3:::${bucket} with {"s3:prefix":"bronze/"}: no condition of [{"StringLike":{"s3:prefix":["arrivals/*"]}}] holds`,
    ]);
  });

  /** Runs `fn`'s bundle as `principal`, and returns its outcome with the calls it made. */
  async function runAs(
    fn: DeployedFunction,
    event: unknown,
    principal: Principal,
    environment: Record<string, string>,
  ) {
    const before = (await aws.decisions(principal)).length;
    const outcome = await invokeBundle(fn, event, { ...environment, ...credentialsEnvironment(principal) });
    const calls = (await aws.decisions(principal))
      .slice(before)
      .map((decision) => `${decision.action} ${decision.resource}`);
    return { outcome, calls };
  }

  const lakeEnvironment = () => ({ LAKE_BUCKET: bucket, LAKE_S3_ENDPOINT: aws.endpoint });
  const arn = (key: string) => `arn:aws:s3:::${bucket}/${key}`;

  /** The functions, each with an event it handles, in the order a deployment runs them. */
  const RUNS = [
    {
      name: 'consumer',
      fn: () => pipeline.consumer,
      event: () => aBatch(nextOffset + 1),
      environment: lakeEnvironment,
    },
    {
      name: 'loader',
      fn: () => pipeline.loader,
      event: () => ({ runId: uniqueName('run') }),
      environment: () => ({ ...warehouseEnvironment, ...lakeEnvironment() }),
    },
    {
      name: 'SQL runner',
      fn: () => pipeline.sqlRunner,
      event: () => ({ kind: 'pending-work', batchId: uniqueName('run') }),
      environment: () => warehouseEnvironment,
    },
  ] as const;
  /** The actions each function's run was allowed, for the removal tests below. */
  const actionsUsed = new Map<string, string[]>();

  it('GIVEN the consumer, the loader and the SQL runner each as its role WHEN a batch is consumed, loaded and checked for work THEN each succeeds, and every call each made was allowed', async () => {
    const lakeReader = await principalWith(
      permissionsOfRole(
        pipeline.templates[pipeline.stacks.stateful.stackName]!,
        logicalIdOf(pipeline.stacks.stateful.snowflake.lakeReaderRole),
      ),
      pipeline.stacks.stateful.stackName,
    );
    // Snowflake's COPY reads the lake with the storage integration's role: the lake reader.
    snowflake.readLakeWith(s3As(lakeReader.principal.credentials));
    const results: Record<string, { outcome: unknown; calls: string[]; refused: string[] }> = {};
    for (const run of RUNS) {
      const { principal, statements } = await principalWith(run.fn().permissions, run.fn().stackName);
      const { outcome, calls } = await runAs(run.fn(), run.event(), principal, run.environment());
      results[run.name] = { outcome, calls, refused: await aws.refusedCalls(principal, statements) };
      actionsUsed.set(run.name, [
        ...new Set((await aws.decisions(principal)).map((decision) => decision.action)),
      ]);
    }

    // First what was refused: a missing permission fails here, naming the action and the resource.
    expect({
      ...Object.fromEntries(RUNS.map((run) => [run.name, results[run.name]!.refused])),
      'lake reader (COPY)': await aws.refusedCalls(lakeReader.principal, lakeReader.statements),
    }).toEqual({ consumer: [], loader: [], 'SQL runner': [], 'lake reader (COPY)': [] });
    expect(results.consumer!.outcome).toEqual({ result: { batchItemFailures: [] } });
    expect(results.loader!.outcome).toMatchObject({ result: { rowsInserted: BATCH.count, skipped: [] } });
    const [loadId] = (results.loader!.outcome as { result: { loadIds: string[] } }).result.loadIds;
    const reader = await snowflake.reader();
    const [loaded] = await reader
      .query<{ loaded_at: Date }>('SELECT loaded_at FROM bronze.loads WHERE load_id = ?', [loadId!])
      .finally(() => reader.close());
    expect(results['SQL runner']!.outcome).toEqual({
      result: oneLoadPending(loaded!.loaded_at.toISOString()),
    });
    // Each made the calls its code is known to make, so "nothing refused" is not "nothing called".
    expect(results.consumer!.calls).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^s3:PutObject ${arn('bronze/date=')}`)),
        expect.stringMatching(new RegExp(`^s3:PutObject ${arn('quarantine/')}`)),
        expect.stringMatching(new RegExp(`^s3:PutObject ${arn('arrivals/date=')}`)),
      ]),
    );
    expect(results.loader!.calls).toEqual(
      expect.arrayContaining([
        `secretsmanager:GetSecretValue ${warehouseEnvironment.SNOWFLAKE_SECRET_ARN}`,
        `s3:ListBucket arn:aws:s3:::${bucket}`,
        expect.stringMatching(new RegExp(`^s3:GetObject ${arn('arrivals/date=')}`)),
      ]),
    );
    expect(results['SQL runner']!.calls).toEqual([
      `secretsmanager:GetSecretValue ${warehouseEnvironment.SNOWFLAKE_SECRET_ARN}`,
    ]);
    expect((await aws.decisions(lakeReader.principal)).map((decision) => decision.action)).toContain(
      's3:GetObject',
    );
  });

  it('GIVEN the lake bucket’s policy as synthesized WHEN the consumer writes a batch THEN the policy refuses none of its writes, and refuses a write without If-None-Match', async () => {
    // GIVEN
    const stateful = pipeline.stacks.stateful;
    const lakeBucket = logicalIdOf(stateful.lake.bucket);
    const policies = Object.values(pipeline.templates[stateful.stackName]!.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::S3::BucketPolicy' &&
        JSON.stringify(resource.Properties?.Bucket) === JSON.stringify({ Ref: lakeBucket }),
    );
    expect(policies).toHaveLength(1);
    const bucketPolicy = resolveIntrinsics(
      (policies[0]!.Properties!.PolicyDocument as { Statement: unknown[] }).Statement,
      stateful.stackName,
      deployed,
    ) as StatementJson[];
    const { principal } = await principalWith(pipeline.consumer.permissions, pipeline.consumer.stackName);

    // WHEN
    const { outcome, calls } = await runAs(
      pipeline.consumer,
      aBatch(nextOffset + 1),
      principal,
      lakeEnvironment(),
    );
    const refusedToTheConsumer = await deniedByResourcePolicy(aws, principal, bucketPolicy);
    // A write as an overwrite would make it: no If-None-Match. moto lets it through; the policy would not.
    const unconditional = 'quarantine/written-without-if-none-match.ndjson.gz';
    await s3As(principal.credentials).send(
      new PutObjectCommand({ Bucket: bucket, Key: unconditional, Body: 'x' }),
    );

    // THEN
    expect(failed(outcome)).toBe(false);
    expect(calls.filter((call) => call.startsWith('s3:PutObject ')).length).toBeGreaterThanOrEqual(3);
    expect(refusedToTheConsumer).toEqual([]);
    expect(await deniedByResourcePolicy(aws, principal, bucketPolicy)).toEqual([
      `s3:PutObject on ${arn(unconditional)}`,
    ]);
  });

  it('GIVEN each function WHEN its role loses any one action its run used THEN its run fails, and the refused calls name that action', async () => {
    expect(
      Object.fromEntries([...actionsUsed].map(([name, actions]) => [name, [...actions].sort()])),
    ).toEqual({
      consumer: ['s3:ListBucket', 's3:PutObject'],
      loader: ['s3:GetObject', 's3:ListBucket', 'secretsmanager:GetSecretValue'],
      'SQL runner': ['secretsmanager:GetSecretValue'],
    });
    const refusedByRemoval: string[] = [];
    for (const run of RUNS) {
      for (const action of actionsUsed.get(run.name)!) {
        // New arrivals, so that the loader has a manifest to read even after the full run.
        const { principal: consumer } = await principalWith(
          pipeline.consumer.permissions,
          pipeline.consumer.stackName,
        );
        await runAs(pipeline.consumer, aBatch(nextOffset + 1), consumer, lakeEnvironment());

        const { principal, statements } = await principalWith(
          run.fn().permissions,
          run.fn().stackName,
          action,
        );
        const { outcome } = await runAs(run.fn(), run.event(), principal, run.environment());
        const refused = await aws.refusedCalls(principal, statements);
        refusedByRemoval.push(
          `${run.name} without ${action}: ${failed(outcome) ? 'failed' : 'succeeded'}, refused ${[...new Set(refused.map((call) => call.split(' ')[0]))].join(', ')}`,
        );
      }
    }
    expect(refusedByRemoval).toEqual(
      RUNS.flatMap((run) =>
        actionsUsed
          .get(run.name)!
          .map((action) => `${run.name} without ${action}: failed, refused ${action}`),
      ),
    );
  });
});

/** Whether a run failed: the handler threw, or (the consumer) it asked for records to be delivered again. */
function failed(outcome: { result?: unknown; error?: unknown }): boolean {
  const retried = (outcome.result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
  return outcome.error !== undefined || (retried !== undefined && retried.length > 0);
}
