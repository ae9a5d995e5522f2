import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { PIPELINE_NODE_MAJOR } from '../../../lib/app/pipeline-node-version.js';
import { LakeConsumerFunction } from '../../../lib/ingestion/lake-consumer-function.js';
import { LakeStorage } from '../../../lib/lake/lake-storage.js';
import { IngestionMonitoring } from '../../../lib/observability/ingestion-monitoring.js';
import { EventProducerService } from '../../../lib/producer/event-producer-service.js';
import { EventStreamCluster } from '../../../lib/streaming/event-stream-cluster.js';
import { appWithProjectFlags, buildPipelineFor } from '../../support/pipeline-app.js';

describe.each(['dev', 'prod'])('the %s ingestion stack', (environmentName) => {
  // GIVEN the app as bin/app.ts builds it
  const { stacks, config } = buildPipelineFor(environmentName);
  // WHEN the ingestion stack is synthesized
  const template = Template.fromStack(stacks.ingestion);

  it('is named after the environment and depends on the network and stateful stacks', () => {
    expect(stacks.ingestion.stackName).toBe(`SpotifyPipeline-${environmentName}-Ingestion`);
    expect(stacks.ingestion.dependencies).toEqual(expect.arrayContaining([stacks.network, stacks.stateful]));
    expect(stacks.ingestion.terminationProtection).toBeFalsy();
  });

  describe('producer', () => {
    it('runs the configured number of Fargate tasks in private subnets with the client security group', () => {
      template.hasResourceProperties('AWS::ECS::Service', {
        LaunchType: 'FARGATE',
        DesiredCount: config.producer.desiredCount,
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            AssignPublicIp: 'DISABLED',
            SecurityGroups: [Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() })],
          },
        },
        DeploymentConfiguration: Match.objectLike({
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        }),
      });
    });

    it('passes the brokers from the deploy-time lookup, and the event rate and the topic’s settings from config', () => {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        Cpu: String(config.producer.cpu),
        Memory: String(config.producer.memoryMiB),
        ContainerDefinitions: [
          Match.objectLike({
            ReadonlyRootFilesystem: true,
            Environment: Match.arrayWith([
              {
                Name: 'KAFKA_BROKERS',
                Value: {
                  'Fn::GetAtt': [
                    Match.stringLikeRegexp('GetBootstrapBrokers'),
                    'BootstrapBrokerStringSaslIam',
                  ],
                },
              },
              { Name: 'KAFKA_AUTH', Value: 'msk-iam' },
              { Name: 'KAFKA_TOPIC', Value: config.streaming.topicName },
              { Name: 'TOPIC_PARTITIONS', Value: String(config.streaming.partitionCount) },
              { Name: 'TOPIC_RETENTION_HOURS', Value: String(config.streaming.retentionHours) },
              { Name: 'EVENT_RATE', Value: String(config.producer.eventRate) },
            ]),
            LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
          }),
        ],
      });
      // The lookup's only permission: GetBootstrapBrokers on the cluster.
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyName: Match.stringLikeRegexp('BootstrapBrokersGetBootstrapBrokersCustomResourcePolicy'),
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: 'kafka:GetBootstrapBrokers',
              Resource: Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() }),
            }),
          ],
        },
      });
    });

    it('keeps the producer logs for the configured retention', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.logRetention });
    });

    it('lets the task role write to the topic and do nothing else', () => {
      const taskRolePolicies = template.findResources('AWS::IAM::Policy', {
        Properties: { PolicyName: Match.stringLikeRegexp('ProducerTaskDefinitionTaskRole') },
      });
      const statements = Object.values(taskRolePolicies).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement,
      );
      expect(statements.flatMap((statement) => statement.Action).sort()).toEqual([
        'kafka-cluster:Connect',
        'kafka-cluster:DescribeCluster',
        'kafka-cluster:DescribeTopic',
        'kafka-cluster:WriteData',
        'kafka-cluster:WriteDataIdempotently',
      ]);
    });
  });

  describe('consumer', () => {
    it('is an ARM64 Node.js function on the pipeline’s line with JSON logs, source maps and the lake bucket, in the VPC', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: `nodejs${PIPELINE_NODE_MAJOR}.x`,
        Architectures: ['arm64'],
        MemorySize: config.ingestion.memoryMiB,
        Timeout: config.ingestion.timeoutSeconds,
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
        Environment: {
          Variables: {
            LAKE_BUCKET: Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() }),
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() }),
      });
    });

    it('reads the topic with bounded retries, bisect, partial batch responses and a failure destination', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        Topics: [config.streaming.topicName],
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: config.ingestion.batchSize,
        MaximumBatchingWindowInSeconds: config.ingestion.maxBatchingWindowSeconds,
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: config.ingestion.consumerGroupId },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: config.ingestion.retryAttempts,
        MaximumRecordAgeInSeconds: config.ingestion.maxRecordAgeSeconds,
        ProvisionedPollerConfig: {
          MinimumPollers: config.ingestion.minimumPollers,
          MaximumPollers: config.ingestion.maximumPollers,
        },
        DestinationConfig: {
          OnFailure: { Destination: Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() }) },
        },
      });
    });

    it('may write only under bronze/, quarantine/, arrivals/ and aws/lambda/, read its group and list some of the bucket', () => {
      const policies = template.findResources('AWS::IAM::Policy', {
        Properties: { PolicyName: Match.stringLikeRegexp('ConsumerFunctionServiceRole') },
      });
      const statements = Object.values(policies).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement,
      );
      const text = JSON.stringify(statements);
      for (const prefix of ['/bronze/*', '/quarantine/*', '/arrivals/*', '/aws/lambda/*'])
        expect(text).toContain(prefix);
      expect(text).toContain(`/${config.ingestion.consumerGroupId}`);
      expect(text).not.toMatch(/s3:Delete|s3:GetObject|"s3:\*"/);
      const actions = statements.flatMap((statement) => [statement.Action].flat());
      expect(actions).toEqual(
        expect.arrayContaining([
          's3:ListBucket',
          'kafka-cluster:ReadData',
          'kafka-cluster:AlterGroup',
          'kafka-cluster:DescribeClusterDynamicConfiguration',
        ]),
      );
    });
    it('creates lake objects with s3:PutObject alone and lists only the prefixes it reads: no tagging, retention, legal hold, abort, delete or read', () => {
      const policies = template.findResources('AWS::IAM::Policy', {
        Properties: { PolicyName: Match.stringLikeRegexp('ConsumerFunctionServiceRole') },
      });
      const statements = Object.values(policies).flatMap(
        (policy) =>
          policy.Properties.PolicyDocument.Statement as {
            Action: string | string[];
            Resource: unknown;
            Condition?: unknown;
          }[],
      );
      const onS3 = statements.filter((statement) =>
        [statement.Action].flat().some((action) => action.startsWith('s3:')),
      );
      const withAction = (action: string) =>
        onS3.filter((statement) => [statement.Action].flat().includes(action));
      expect([...new Set(onS3.flatMap((statement) => [statement.Action].flat()))].sort()).toEqual([
        's3:ListBucket',
        's3:PutObject',
      ]);
      const createdUnder = withAction('s3:PutObject').flatMap((statement) =>
        [statement.Resource].flat().map((resource) => JSON.stringify(resource).match(/"\/([a-z/]+)\*"/)?.[1]),
      );
      expect(createdUnder.sort()).toEqual(['arrivals/', 'aws/lambda/', 'bronze/', 'quarantine/']);
      const listings = withAction('s3:ListBucket');
      expect(listings.every((statement) => statement.Condition !== undefined)).toBe(true);
      const listedUnder = listings.flatMap(
        (statement) =>
          (statement.Condition as { StringLike: { 's3:prefix': string[] } }).StringLike['s3:prefix'],
      );
      expect(listedUnder.sort()).toEqual(['aws/lambda/*', 'bronze/*', 'quarantine/*']);
    });
  });

  describe('observability', () => {
    it('alarms on consumer errors, lag, quarantine rate, producer tasks and producer errors', () => {
      const alarmAction = [{ Ref: Match.stringLikeRegexp('AlarmTopic') }];
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        AlarmActions: alarmAction,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'OffsetLag',
        Statistic: 'Maximum',
        Threshold: config.observability.offsetLagThreshold,
        AlarmActions: alarmAction,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: config.observability.quarantineRateThreshold,
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'IF(recordsIn > 0, quarantined / recordsIn, 0)' }),
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: Match.objectLike({
                Namespace: 'SpotifyPipeline',
                MetricName: 'RecordsQuarantined',
                Dimensions: [{ Name: 'service', Value: 'lake-consumer' }],
              }),
            }),
          }),
        ]),
        AlarmActions: alarmAction,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'ECS/ContainerInsights',
        MetricName: 'RunningTaskCount',
        ComparisonOperator: 'LessThanThreshold',
        Threshold: config.producer.desiredCount,
      });
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: '{ $.level = "ERROR" }',
      });
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    });

    it('alarms on every way a record can be lost or stuck on the way to the lake, telling the alarm topic when it fires and when it clears', () => {
      const notifies = {
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
        OKActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      };
      const [mappingId] = Object.keys(template.findResources('AWS::Lambda::EventSourceMapping'));
      const byMapping = [{ Name: 'EventSourceMappingUUID', Value: { Ref: mappingId } }];
      // The event source publishes the counts the alarms read.
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        MetricsConfig: { Metrics: ['EventCount', 'ErrorCount'] },
      });
      // Lake objects the consumer could not write.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'SpotifyPipeline',
        MetricName: 'FailedObjects',
        Dimensions: [{ Name: 'service', Value: 'lake-consumer' }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        ...notifies,
      });
      // Any delivery to the failed-batch destination, whose description says how to replay.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'OnFailureDestinationDeliveredEventCount',
        Dimensions: byMapping,
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmDescription: Match.stringLikeRegexp('spotify-pipeline replay-failed --bucket'),
        ...notifies,
      });
      // Records dropped, or given up on and not delivered: lost.
      const countOf = (metricName: string, id: string) => ({
        Id: id,
        ReturnData: false,
        MetricStat: {
          Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: byMapping },
          Period: 300,
          Stat: 'Sum',
        },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'FILL(dropped, 0) + FILL(undelivered, 0)' }),
          countOf('DroppedEventCount', 'dropped'),
          countOf('OnFailureDestinationDeliveryErrorCount', 'undelivered'),
        ]),
        AlarmDescription: Match.stringLikeRegexp('audit .* replay-failed --offsets'),
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        ...notifies,
      });
      // The fullest broker disk, on a provisioned cluster (MSK Serverless has no broker disks).
      const diskAlarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmDescription: Match.stringLikeRegexp("broker's data disk") },
      });
      if (config.streaming.mode === 'provisioned') {
        expect(Object.values(diskAlarms).map((alarm) => alarm.Properties)).toEqual([
          expect.objectContaining({
            Metrics: [
              {
                Id: expect.any(String),
                Expression: `SELECT MAX(KafkaDataLogsDiskUsed) FROM SCHEMA("AWS/Kafka", "Broker ID", "Cluster Name") WHERE "Cluster Name" = '${stacks.stateful.eventStream.clusterName}'`,
                Label: 'Fullest broker data disk (%)',
                Period: 300,
                ReturnData: true,
              },
            ],
            Threshold: config.observability.brokerDiskUsedPercentThreshold,
            ComparisonOperator: 'GreaterThanThreshold',
            TreatMissingData: 'breaching',
          }),
        ]);
      } else {
        expect(diskAlarms).toEqual({});
      }
      template.resourceCountIs('AWS::CloudWatch::Alarm', config.streaming.mode === 'provisioned' ? 9 : 8);
    });

    it('encrypts the alarm topic with a rotating key of its own, which lets CloudWatch (this account’s alarms) and EventBridge (the failed-run rule) publish', () => {
      const keys = template.findResources('AWS::KMS::Key');
      const [keyId] = Object.keys(keys).filter((id) => id.includes('AlarmTopicKey'));
      expect(keyId).toBeDefined();
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
      const key = keys[keyId!]!.Properties as {
        EnableKeyRotation: boolean;
        KeyPolicy: { Statement: { Principal: unknown }[] };
      };
      expect(key.EnableKeyRotation).toBe(true);
      const services = key.KeyPolicy.Statement.filter((statement) =>
        JSON.stringify(statement.Principal).includes('Service'),
      );
      expect(services.map((statement) => statement.Principal)).toEqual([
        { Service: 'cloudwatch.amazonaws.com' },
        { Service: 'events.amazonaws.com' },
      ]);
      expect(services[0]).toMatchObject({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      });
    });

    it('outputs the alarm topic ARN, and the topic refuses plain HTTP', () => {
      template.hasOutput('AlarmTopicArn', { Value: { Ref: Match.stringLikeRegexp('AlarmTopic') } });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });
  });
});

/** A cluster and a lake in one stack, and a stack for the construct under test, as the app has them. */
function dependencies() {
  const app = appWithProjectFlags();
  const stateful = new Stack(app, 'Stateful');
  const vpc = new Vpc(stateful, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Workload', subnetType: SubnetType.PRIVATE_ISOLATED }],
  });
  const eventStream = new EventStreamCluster(stateful, 'EventStream', {
    vpc,
    capacity: { mode: 'serverless' },
  });
  const lake = new LakeStorage(stateful, 'Lake');
  return { stack: new Stack(app, 'UnderTest'), vpc, eventStream, lake };
}

describe('bad props', () => {
  it('EventProducerService refuses a memory size Fargate does not offer with the CPU', () => {
    const { stack, vpc, eventStream } = dependencies();
    expect(
      () => new EventProducerService(stack, 'Producer', { vpc, eventStream, cpu: 256, memoryLimitMiB: 4096 }),
    ).toThrow(/memoryLimitMiB is 4096; with cpu 256 Fargate accepts 512 to 2048/);
  });

  it('EventProducerService refuses a memory size between the steps Fargate offers for the CPU', () => {
    const { stack, vpc, eventStream } = dependencies();
    expect(
      () => new EventProducerService(stack, 'Producer', { vpc, eventStream, cpu: 512, memoryLimitMiB: 1536 }),
    ).toThrow(/memoryLimitMiB is 1536; with cpu 512 Fargate accepts 1024 to 4096 in steps of 1024/);
  });

  it('EventProducerService refuses a rate of 0 events per second', () => {
    const { stack, vpc, eventStream } = dependencies();
    expect(
      () => new EventProducerService(stack, 'Producer', { vpc, eventStream, eventsPerSecond: 0 }),
    ).toThrow(/eventsPerSecond is 0; use more than 0/);
  });

  it('EventProducerService refuses a rate above 100000 events per second per task', () => {
    const { stack, vpc, eventStream } = dependencies();
    expect(
      () => new EventProducerService(stack, 'Producer', { vpc, eventStream, eventsPerSecond: 100_001 }),
    ).toThrow(/eventsPerSecond is 100001; use more than 0 and at most 100000 events per second per task/);
  });

  it.each([
    [{ retryAttempts: -1 }, /retryAttempts is -1; use 0 to 10000/],
    [{ minimumPollers: 3, maximumPollers: 2 }, /maximumPollers is 2; use minimumPollers \(3\) up to 2000/],
    [
      // The topic keeps records 168 hours: a day more than 145 is 169.
      { maxRecordAge: Duration.hours(145) },
      /the events topic keeps records for 168 hours; use at least 169 hours: the event source's maximum record age \(522000 s\) plus 24 hours/,
    ],
  ])('LakeConsumerFunction refuses %j', (props, message) => {
    const { stack, vpc, eventStream, lake } = dependencies();
    expect(() => new LakeConsumerFunction(stack, 'Consumer', { vpc, eventStream, lake, ...props })).toThrow(
      message,
    );
  });

  it('LakeConsumerFunction accepts a maximum record age the topic’s retention outlasts by exactly a day', () => {
    const { stack, vpc, eventStream, lake } = dependencies();
    expect(eventStream.retention.toHours()).toBe(168);
    expect(
      () =>
        new LakeConsumerFunction(stack, 'Consumer', {
          vpc,
          eventStream,
          lake,
          maxRecordAge: Duration.hours(144),
        }),
    ).not.toThrow();
  });

  it.each([
    [{ quarantineRateThreshold: 5 }, /quarantineRateThreshold is 5; use a share between 0 and 1/],
    [
      { brokerDiskUsedPercentThreshold: 100 },
      /brokerDiskUsedPercentThreshold is 100; use a percentage of the disk from 1 to 99/,
    ],
  ])('IngestionMonitoring refuses %j', (thresholds, message) => {
    const { stack, vpc, eventStream, lake } = dependencies();
    const consumer = new LakeConsumerFunction(stack, 'Consumer', { vpc, eventStream, lake });
    const producer = new EventProducerService(stack, 'Producer', { vpc, eventStream });
    expect(
      () => new IngestionMonitoring(stack, 'Monitoring', { consumer, producer, eventStream, ...thresholds }),
    ).toThrow(message);
  });
});

describe('EventProducerService task size', () => {
  it('gives a task of a larger CPU size the least memory Fargate offers with it', () => {
    // GIVEN an 8 vCPU task with no memory size asked for
    const { stack, vpc, eventStream } = dependencies();

    // WHEN
    new EventProducerService(stack, 'Producer', { vpc, eventStream, cpu: 8192 });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '8192',
      Memory: '16384',
    });
  });
});
