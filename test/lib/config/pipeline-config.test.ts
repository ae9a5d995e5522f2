import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import {
  type ContextReader,
  loadPipelineConfig,
  PipelineConfigError,
  parseEnvironmentConfig,
} from '../../../lib/config/pipeline-config.js';
import { cdkJsonContext } from '../../support/pipeline-app.js';

function contextOf(values: Record<string, unknown>): ContextReader {
  return (key) => values[key];
}

/** A complete, valid environment; each test breaks one key. */
function validEnvironment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    network: { maxAzs: 2, natGateways: 0 },
    streaming: { mode: 'serverless', topicName: 'spotify-events', partitionCount: 6 },
    lake: { bronzeInfrequentAccessAfterDays: 30, bronzeGlacierInstantRetrievalAfterDays: 90 },
    logRetentionDays: 14,
    ...overrides,
  };
}

describe('loadPipelineConfig', () => {
  it('reads dev from cdk.json when no environment is selected', () => {
    // GIVEN the repository's cdk.json context without -c env
    const context = { ...cdkJsonContext() };
    delete context.env;

    // WHEN
    const config = loadPipelineConfig(contextOf(context));

    // THEN
    expect(config.environmentName).toBe('dev');
    expect(config.streaming).toEqual({
      mode: 'provisioned',
      provisioned: {
        instanceType: 'kafka.t3.small',
        brokersPerAz: 1,
        ebsVolumeGiB: 20,
        kafkaVersion: '3.8.x',
      },
      topicName: 'spotify-events',
      partitionCount: 6,
      retentionHours: 168,
      replicationFactor: 2,
    });
    expect(config.network.natGateways).toBe(0);
    expect(config.destroyOnRemoval).toBe(false);
  });

  it('reads prod from cdk.json as a provisioned cluster with brokers sized by config', () => {
    // GIVEN / WHEN
    const config = loadPipelineConfig(contextOf({ ...cdkJsonContext(), env: 'prod' }));

    // THEN
    expect(config.environmentName).toBe('prod');
    expect(config.streaming.mode).toBe('provisioned');
    expect(config.streaming.provisioned).toEqual({
      instanceType: 'kafka.m7g.large',
      brokersPerAz: 2,
      ebsVolumeGiB: 500,
      kafkaVersion: '3.8.x',
    });
    expect(config.logRetention).toBe(RetentionDays.THREE_MONTHS);
  });

  it('fills every optional key with its default', () => {
    // GIVEN an environment that sets nothing
    // WHEN
    const config = parseEnvironmentConfig('sandbox', {}, undefined);

    // THEN
    expect(config).toEqual({
      environmentName: 'sandbox',
      network: { maxAzs: 2, natGateways: 0 },
      streaming: {
        mode: 'provisioned',
        provisioned: {
          instanceType: 'kafka.m7g.large',
          brokersPerAz: 1,
          ebsVolumeGiB: 100,
          kafkaVersion: '3.8.x',
        },
        topicName: 'spotify-events',
        partitionCount: 6,
        retentionHours: 168,
        // two zones x one broker: the replication factor cannot exceed the broker count
        replicationFactor: 2,
      },
      lake: {
        bronzeInfrequentAccessAfterDays: 30,
        bronzeGlacierInstantRetrievalAfterDays: 90,
        quarantineExpirationDays: 30,
        noncurrentVersionExpirationDays: 30,
        accessLogExpirationDays: 90,
      },
      producer: { desiredCount: 1, eventRate: 1, cpu: 256, memoryMiB: 512 },
      ingestion: {
        consumerGroupId: 'spotify-lake-consumer',
        batchSize: 500,
        maxBatchingWindowSeconds: 5,
        retryAttempts: 3,
        maxRecordAgeSeconds: 21_600,
        minimumPollers: 1,
        maximumPollers: 2,
        memoryMiB: 1024,
        timeoutSeconds: 120,
      },
      loading: {
        schedule: { everyMinutes: 60, minute: 10, fullChecksHourUtc: 3 },
        memoryMiB: 1024,
        timeoutSeconds: 900,
      },
      transformation: {
        stepMemoryMiB: 512,
        stepTimeoutSeconds: 900,
        runTimeoutMinutes: 120,
        connectionRetries: 3,
      },
      observability: {
        offsetLagThreshold: 10_000,
        quarantineRateThreshold: 0.05,
        brokerDiskUsedPercentThreshold: 80,
        freshnessThresholdMinutes: 180,
      },
      logRetention: RetentionDays.ONE_MONTH,
      destroyOnRemoval: false,
    });
  });

  it('reads the storage integration that Snowflake reports, once it is configured', () => {
    const integration = {
      iamUserArn: 'arn:aws:iam::123456789012:user/abc0-s-xyz',
      externalId: 'ORG_SFCRole=2_abc=',
    };
    const config = parseEnvironmentConfig(
      'dev',
      validEnvironment({ loading: { snowflakeStorageIntegration: integration } }),
      undefined,
    );
    expect(config.loading.snowflakeStorageIntegration).toEqual(integration);
  });

  it('fills provisioned broker defaults when only the mode is given', () => {
    // GIVEN / WHEN
    const config = parseEnvironmentConfig(
      'perf',
      validEnvironment({ streaming: { mode: 'provisioned' } }),
      undefined,
    );

    // THEN
    expect(config.streaming.provisioned).toEqual({
      instanceType: 'kafka.m7g.large',
      brokersPerAz: 1,
      ebsVolumeGiB: 100,
      kafkaVersion: '3.8.x',
    });
  });

  it('accepts serverless, whose replication factor is always 3', () => {
    const config = parseEnvironmentConfig('lab', validEnvironment(), undefined);
    expect(config.streaming).toEqual({
      mode: 'serverless',
      topicName: 'spotify-events',
      partitionCount: 6,
      retentionHours: 168,
      replicationFactor: 3,
    });
  });

  it("accepts Fargate's 8 and 16 vCPU task sizes, each with the least memory it offers by default", () => {
    // GIVEN / WHEN
    const eight = parseEnvironmentConfig('lab', validEnvironment({ producer: { cpu: 8192 } }), undefined);
    const sixteen = parseEnvironmentConfig('lab', validEnvironment({ producer: { cpu: 16384 } }), undefined);

    // THEN
    expect(eight.producer).toMatchObject({ cpu: 8192, memoryMiB: 16384 });
    expect(sixteen.producer).toMatchObject({ cpu: 16384, memoryMiB: 32768 });
    expect(() =>
      parseEnvironmentConfig(
        'dev',
        validEnvironment({ producer: { cpu: 8192, memoryMiB: 20000 } }),
        undefined,
      ),
    ).toThrow(
      /producer\.memoryMiB is 20000, which Fargate does not offer with cpu 8192: use 16384 to 61440 in steps of 4096/,
    );
  });

  it('names the environments it knows when -c env names none of them', () => {
    // GIVEN / WHEN / THEN
    expect(() => loadPipelineConfig(contextOf({ ...cdkJsonContext(), env: 'staging' }))).toThrow(
      /context\.env is "staging", which names no environment: use one of dev, prod/,
    );
  });

  it('explains what cdk.json must hold when there are no environments', () => {
    expect(() => loadPipelineConfig(contextOf({}))).toThrow(
      /context\.environments is missing or not an object/,
    );
  });

  it.each([
    [{ producer: { desiredCount: -1 } }, /producer\.desiredCount is -1: use 0 to 100/],
    [
      { producer: { eventRate: 0 } },
      /producer\.eventRate is 0: use more than 0 and at most 100000 events per second per task/,
    ],
    [{ producer: { cpu: 300 } }, /producer\.cpu is 300: use one of 256, 512, 1024, 2048, 4096/],
    [
      { producer: { cpu: 256, memoryMiB: 4096 } },
      /producer\.memoryMiB is 4096, which Fargate does not offer with cpu 256: use 512 to 2048/,
    ],
    [{ ingestion: { batchSize: 20_000 } }, /ingestion\.batchSize is 20000: use 1 to 10000/],
    [
      { ingestion: { maxBatchingWindowSeconds: 301 } },
      /ingestion\.maxBatchingWindowSeconds is 301: use 0 to 300/,
    ],
    [{ ingestion: { retryAttempts: -1 } }, /ingestion\.retryAttempts is -1: use 0 to 10000/],
    [{ ingestion: { maxRecordAgeSeconds: 30 } }, /ingestion\.maxRecordAgeSeconds is 30: use 60 to 604800/],
    [
      { ingestion: { minimumPollers: 4, maximumPollers: 2 } },
      /ingestion\.maximumPollers is 2: use minimumPollers \(4\) up to 2000/,
    ],
    [{ ingestion: { consumerGroupId: 'lake consumer' } }, /ingestion\.consumerGroupId is "lake consumer"/],
    [
      { observability: { quarantineRateThreshold: 5 } },
      /observability\.quarantineRateThreshold is 5: use a share between 0 and 1/,
    ],
    [
      { streaming: { mode: 'kraft' } },
      /environments\.dev\.streaming\.mode is "kraft": use one of serverless, provisioned/,
    ],
    [
      { streaming: { partitionCount: 0 } },
      /streaming\.partitionCount is 0: use a whole number of at least 1/,
    ],
    [{ streaming: { partitionCount: '6' } }, /streaming\.partitionCount is "6": it must be a whole number/],
    [
      { streaming: { retentionHours: 24 }, ingestion: { maxRecordAgeSeconds: 3600 } },
      /streaming\.retentionHours is 24 with environments\.dev\.ingestion\.maxRecordAgeSeconds 3600: use at least 25 hours: the event source's maximum record age \(3600 s\) plus 24 hours to replay what it gives up on from the topic/,
    ],
    [
      { observability: { brokerDiskUsedPercentThreshold: 100 } },
      /observability\.brokerDiskUsedPercentThreshold is 100: use a percentage of the disk from 1 to 99/,
    ],
    [{ streaming: { topicName: 'spotify events' } }, /streaming\.topicName is "spotify events"/],
    [
      { streaming: { mode: 'serverless', replicationFactor: 2 } },
      /streaming\.replicationFactor is 2: MSK Serverless always replicates 3 times/,
    ],
    [
      { streaming: { mode: 'serverless', provisioned: { brokersPerAz: 1 } } },
      /streaming\.provisioned is set but environments\.dev\.streaming\.mode is "serverless"/,
    ],
    [
      { streaming: { mode: 'provisioned', provisioned: { instanceType: 'm5.large' } } },
      /streaming\.provisioned\.instanceType is "m5\.large": use an MSK broker type/,
    ],
    [
      { streaming: { mode: 'provisioned', provisioned: { brokersPerAz: 0 } } },
      /streaming\.provisioned\.brokersPerAz is 0/,
    ],
    [
      { streaming: { mode: 'provisioned', provisioned: { brokersPerAz: 1 }, replicationFactor: 3 } },
      /streaming\.replicationFactor is 3: use 1 up to the broker count, 2 \(provisioned\.brokersPerAz 1 x network\.maxAzs 2\)/,
    ],
    [
      { streaming: { mode: 'provisioned', provisioned: { kafkaVersion: '3.5.1' } } },
      /streaming\.provisioned\.kafkaVersion is "3\.5\.1": use 3\.6\.0 or later/,
    ],
    [{ network: { maxAzs: 1 } }, /network\.maxAzs is 1: use 2 or 3/],
    [{ network: { maxAzs: 2, natGateways: 3 } }, /network\.natGateways is 3: use 0 .* up to maxAzs \(2/],
    [
      { logRetentionDays: 10 },
      /logRetentionDays is 10, which CloudWatch Logs does not accept: use one of 1, 3, 5, 7/,
    ],
    [
      { lake: { bronzeInfrequentAccessAfterDays: 7 } },
      /lake\.bronzeInfrequentAccessAfterDays is 7: S3 allows the move to Standard-IA from day 30/,
    ],
    [
      { lake: { bronzeInfrequentAccessAfterDays: 30, bronzeGlacierInstantRetrievalAfterDays: 45 } },
      /lake\.bronzeGlacierInstantRetrievalAfterDays is 45: use at least 60/,
    ],
    [
      { lake: { quarantineExpirationDays: 0 } },
      /lake\.quarantineExpirationDays is 0: use a whole number of days/,
    ],
    [{ lake: [] }, /environments\.dev\.lake is \[\]: it must be an object/],
    [
      { loading: { scheduleMinute: 20 } },
      /loading\.scheduleMinute is no longer read: write environments\.dev\.loading\.schedule = \{"everyMinutes": 60, "minute": 20\}/,
    ],
    [
      { loading: { schedule: { everyMinutes: '15' } } },
      /loading\.schedule\.everyMinutes is "15": it must be a whole number/,
    ],
    [{ loading: { timeoutSeconds: 3600 } }, /loading\.timeoutSeconds is 3600: use 120 to 900/],
    [{ loading: { timeoutSeconds: 90 } }, /loading\.timeoutSeconds is 90: use 120 to 900/],
    [
      { loading: { snowflakeStorageIntegration: { iamUserArn: 'snowflake-user', externalId: 'x' } } },
      /loading\.snowflakeStorageIntegration\.iamUserArn is "snowflake-user": copy STORAGE_AWS_IAM_USER_ARN/,
    ],
    [
      { loading: { snowflakeStorageIntegration: { iamUserArn: 'arn:aws:iam::123456789012:user/abc' } } },
      /loading\.snowflakeStorageIntegration\.externalId is missing: copy STORAGE_AWS_EXTERNAL_ID/,
    ],
    [
      { transformation: { stepTimeoutSeconds: 901 } },
      /transformation\.stepTimeoutSeconds is 901: use 120 to 900/,
    ],
    [
      { transformation: { stepTimeoutSeconds: 119 } },
      /transformation\.stepTimeoutSeconds is 119: use 120 to 900/,
    ],
    [{ transformation: { connectionRetries: 11 } }, /transformation\.connectionRetries is 11: use 0 to 10/],
    [
      { observability: { freshnessThresholdMinutes: 30 } },
      /observability\.freshnessThresholdMinutes is 30: use 35 to 10080/,
    ],
  ])('rejects %j naming the key and what is allowed', (override, message) => {
    // GIVEN an environment with one bad key
    const raw = validEnvironment(override);

    // WHEN / THEN
    expect(() => parseEnvironmentConfig('dev', raw, undefined)).toThrow(message);
    expect(() => parseEnvironmentConfig('dev', raw, undefined)).toThrow(PipelineConfigError);
  });

  describe('destroyOnRemoval', () => {
    it('is off unless the context flag asks for it', () => {
      const config = parseEnvironmentConfig(
        'dev',
        validEnvironment({ allowDestroyOnRemoval: true }),
        undefined,
      );
      expect(config.destroyOnRemoval).toBe(false);
    });

    it.each([true, 'true'])('is on when the flag is %j and the environment allows it', (flag) => {
      const config = parseEnvironmentConfig('dev', validEnvironment({ allowDestroyOnRemoval: true }), flag);
      expect(config.destroyOnRemoval).toBe(true);
    });

    it('refuses the flag for an environment that does not allow it', () => {
      expect(() =>
        loadPipelineConfig(contextOf({ ...cdkJsonContext(), env: 'prod', destroyOnRemoval: 'true' })),
      ).toThrow(/context\.destroyOnRemoval is true but environments\.prod\.allowDestroyOnRemoval is not/);
    });

    it('rejects a flag that is not a boolean', () => {
      expect(() => parseEnvironmentConfig('dev', validEnvironment(), 'yes')).toThrow(
        /context\.destroyOnRemoval is "yes": use true or false/,
      );
    });
  });
});
