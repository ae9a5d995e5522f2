import { type CfnResource, Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { MetricType, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { ManagedKafkaEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_LAKE_CONSUMER_GROUP } from '../../lambdas/shared/kafka/pipeline-topic.js';
import { acknowledgeWildcardResources } from '../app/acknowledge-wildcard-resources.js';
import {
  acknowledgeFunctionDefaults,
  PIPELINE_BUNDLING,
  pipelineFunctionDefaults,
} from '../app/pipeline-function-defaults.js';
import { outsideRange, type WholeNumberRange } from '../app/whole-number-range.js';
import { ARRIVALS_PREFIX, BRONZE_PREFIX, type LakeStorage, QUARANTINE_PREFIX } from '../lake/lake-storage.js';
import { topicRetentionProblem } from '../streaming/event-stream-cluster.js';
import type { LakeConsumerFunctionProps } from './lake-consumer-function-props.js';
import { FAILED_BATCHES_PREFIX, LakeFailedBatchDestination } from './lake-failed-batch-destination.js';

/** The handler's file, relative to the repository root. */
export const CONSUMER_ENTRY = 'lambdas/consumer/handler.ts';
/** The function and its event source when the props do not say otherwise. */
export const LAKE_CONSUMER_DEFAULTS = {
  consumerGroupId: DEFAULT_LAKE_CONSUMER_GROUP,
  batchSize: 500,
  maxBatchingWindow: Duration.seconds(5),
  retryAttempts: 3,
  maxRecordAge: Duration.hours(6),
  minimumPollers: 1,
  maximumPollers: 2,
  memorySize: 1024,
  timeout: Duration.minutes(2),
} as const satisfies Required<
  Omit<LakeConsumerFunctionProps, 'vpc' | 'vpcSubnets' | 'eventStream' | 'lake' | 'logRetention'>
>;
/**
 * The retries and pollers {@link LakeConsumerFunction} accepts: Lambda's limits for an MSK event
 * source, except that retries are never unbounded (-1), which would let one bad batch block its
 * partition until the topic forgets it.
 */
export const LAKE_CONSUMER_LIMITS = {
  retryAttempts: { min: 0, max: 10_000, unit: 'retries' },
  minimumPollers: { min: 1, max: 200, unit: 'pollers' },
  maximumPollers: { min: 1, max: 2_000, unit: 'pollers' },
} as const satisfies Record<string, WholeNumberRange>;

/** What the maximum pollers must be instead, given the minimum, or `undefined` when they fit. */
export function maximumPollersProblem(minimumPollers: number, maximumPollers: number): string | undefined {
  const mostPollers = LAKE_CONSUMER_LIMITS.maximumPollers.max;
  return outsideRange(maximumPollers, { min: minimumPollers, max: mostPollers }) === undefined
    ? undefined
    : `use minimumPollers (${minimumPollers}) up to ${mostPollers}`;
}

/**
 * The lake consumer: `lambdas/consumer/handler.ts` as an ARM64 Node.js function in the cluster's
 * VPC, fed by an MSK event source on the events topic, writing to the lake's `bronze/` and
 * `quarantine/` prefixes.
 *
 * The event source never drops a batch in silence: the handler reports the records to deliver
 * again (partial batch response), a failing batch is split to isolate its bad record, retries and
 * record age are bounded so one bad batch cannot block its partition until the topic forgets it,
 * and what is finally given up on goes whole to the lake (see {@link LakeFailedBatchDestination}).
 * Delivery is at least once; the handler's writes are idempotent (object names carry the offsets,
 * and writes are conditional).
 */
export class LakeConsumerFunction extends Construct {
  /** The consumer function. */
  readonly function: NodejsFunction;
  /** The MSK event source feeding it. */
  readonly eventSource: ManagedKafkaEventSource;
  /** The consumer group the event source commits offsets for. */
  readonly consumerGroupId: string;
  /** The function's log group. */
  readonly logGroup: LogGroup;

  private readonly lake: LakeStorage;

  constructor(scope: Construct, id: string, props: LakeConsumerFunctionProps) {
    super(scope, id);
    const { eventStream, lake } = props;
    this.lake = lake;
    const defaults = LAKE_CONSUMER_DEFAULTS;
    this.consumerGroupId = props.consumerGroupId ?? defaults.consumerGroupId;
    const minimumPollers = props.minimumPollers ?? defaults.minimumPollers;
    const maximumPollers = props.maximumPollers ?? defaults.maximumPollers;
    const retryAttempts = props.retryAttempts ?? defaults.retryAttempts;
    const where = `LakeConsumerFunction ${this.node.path}`;
    const retriesRefused = outsideRange(retryAttempts, LAKE_CONSUMER_LIMITS.retryAttempts);
    if (retriesRefused !== undefined) {
      throw new Error(
        `${where}: retryAttempts is ${retryAttempts}; ${retriesRefused}: unbounded retries would let one bad batch block its partition`,
      );
    }
    const minimumRefused = outsideRange(minimumPollers, LAKE_CONSUMER_LIMITS.minimumPollers);
    if (minimumRefused !== undefined) {
      throw new Error(`${where}: minimumPollers is ${minimumPollers}; ${minimumRefused}`);
    }
    const maxRecordAge = props.maxRecordAge ?? defaults.maxRecordAge;
    const retentionRefused = topicRetentionProblem(eventStream.retention, maxRecordAge);
    if (retentionRefused !== undefined) {
      throw new Error(
        `${where}: the events topic keeps records for ${eventStream.retention.toHours()} hours; ${retentionRefused}`,
      );
    }
    const maximumRefused = maximumPollersProblem(minimumPollers, maximumPollers);
    if (maximumRefused !== undefined) {
      throw new Error(`${where}: maximumPollers is ${maximumPollers}; ${maximumRefused}`);
    }

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    this.function = new NodejsFunction(this, 'Function', {
      ...pipelineFunctionDefaults(CONSUMER_ENTRY),
      description: 'Consumes listening events from MSK into the lake (bronze/, quarantine/)',
      memorySize: props.memorySize ?? defaults.memorySize,
      timeout: props.timeout ?? defaults.timeout,
      logGroup: this.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      // The function reaches only S3 (gateway endpoint); it never talks to the brokers, the event
      // source does. The client group gives it the egress it needs and nothing inbound.
      securityGroups: [eventStream.clientSecurityGroup],
      environment: {
        LAKE_BUCKET: lake.bucket.bucketName,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: PIPELINE_BUNDLING,
    });

    this.eventSource = new ManagedKafkaEventSource({
      clusterArn: eventStream.clusterArn,
      topic: eventStream.topicName,
      consumerGroupId: this.consumerGroupId,
      // A new consumer group starts from the oldest record still in the topic: nothing produced
      // before the function existed is skipped.
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? defaults.batchSize,
      maxBatchingWindow: props.maxBatchingWindow ?? defaults.maxBatchingWindow,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts,
      maxRecordAge,
      onFailure: new LakeFailedBatchDestination(lake),
      // Retries, record age, bisect and partial batch responses are honoured for Kafka event
      // sources in provisioned mode only.
      provisionedPollerConfig: { minimumPollers, maximumPollers },
      // Counts of records given up on, delivered to the failed-batch destination or dropped, which
      // the ingestion alarms watch (IngestionMonitoring).
      metricsConfig: { metrics: [MetricType.EVENT_COUNT, MetricType.ERROR_COUNT] },
    });
    this.function.addEventSource(this.eventSource);

    eventStream.grantConsume(this.function, this.consumerGroupId);
    // The event source's pollers also read the cluster's dynamic configuration; grantConsume
    // covers Kafka clients in general, which do not need it.
    // @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:DescribeClusterDynamicConfiguration'],
        resources: [eventStream.clusterArn],
      }),
    );
    lake.grantWriteBronze(this.function);
    lake.grantWriteQuarantine(this.function);
    lake.grantWriteArrivals(this.function);
    // The writer lists a partition's hour folder of bronze/ or quarantine/ before it writes, to
    // skip offsets already in the lake.
    lake.grantListUnder(this.function, BRONZE_PREFIX, QUARANTINE_PREFIX);
    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    acknowledgeFunctionDefaults(this.function, {
      AWSLambdaBasicExecutionRole: 'writing its own logs',
      AWSLambdaVPCAccessExecutionRole: 'creating and deleting its network interfaces in the VPC',
      AWSLambdaMSKExecutionRole: 'the MSK event source (describing the cluster, its network interfaces)',
    });
    const defaultPolicy = this.function.role?.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy !== undefined) {
      // The consumer-group ARN takes the cluster's id out of its ARN with Fn::Split; the ARN comes
      // from the stateful stack as a weak cross-stack reference (Fn::GetStackOutput), which
      // CloudFormation resolves there but cfn-lint 1.58's schema does not yet allow (E1022).
      // Acknowledged on this policy only, so the check still runs on everything else.
      (defaultPolicy.node.defaultChild as CfnResource).addMetadata('cfn-lint', {
        config: { ignore_checks: ['E1022'] },
      });
      const bucketArn = this.lake.bucket.bucketArn;
      acknowledgeWildcardResources(
        defaultPolicy,
        [
          `${bucketArn}/${BRONZE_PREFIX}*`,
          `${bucketArn}/${QUARANTINE_PREFIX}*`,
          `${bucketArn}/${ARRIVALS_PREFIX}*`,
          `${bucketArn}/${FAILED_BATCHES_PREFIX}*`,
        ],
        'Object-key prefixes of the lake bucket: the consumer writes one object per topic partition and hour under bronze/ and quarantine/, and one arrival manifest per batch under arrivals/, whose names it cannot know in advance, and Lambda writes failed batches under aws/lambda/ with names it chooses.',
      );
    }
  }
}
