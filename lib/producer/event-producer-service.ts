import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REPOSITORY_ROOT } from '../app/repository-root.js';
import { BootstrapBrokersLookup } from './bootstrap-brokers-lookup.js';
import type { EventProducerServiceProps } from './event-producer-service-props.js';

/** The producer's Dockerfile, relative to the build context. */
export const PRODUCER_DOCKERFILE = 'lambdas/producer/Dockerfile';
/** Fargate's CPU sizes and, for each, the memory sizes it accepts (MiB). */
const FARGATE_MEMORY_BY_CPU: ReadonlyMap<number, { readonly min: number; readonly max: number }> = new Map([
  [256, { min: 512, max: 2048 }],
  [512, { min: 1024, max: 4096 }],
  [1024, { min: 2048, max: 8192 }],
  [2048, { min: 4096, max: 16384 }],
  [4096, { min: 8192, max: 30720 }],
]);

/**
 * The event producer as an ECS Fargate service: the image built from `lambdas/producer/Dockerfile`,
 * tasks in private subnets with the Kafka cluster's client security group, allowed to write to the
 * events topic and nothing more, logging to a log group with a set retention.
 *
 * `ContainerImage.fromAsset` only stages the build context at synth (no Docker needed); the image
 * is built and pushed by `cdk deploy` on the deploying machine. It is built for linux/amd64 and
 * the tasks run on X86_64 so that the build works the same on any deploying machine (an arm64
 * build on an x86 machine would need emulation).
 */
export class EventProducerService extends Construct {
  /** The ECS cluster the service runs in. */
  readonly cluster: Cluster;
  /** The Fargate service. */
  readonly service: FargateService;
  /** The task definition (its task role holds the produce grant). */
  readonly taskDefinition: FargateTaskDefinition;
  /** Where the tasks' JSON logs go. */
  readonly logGroup: LogGroup;
  /** Tasks the service keeps running. */
  readonly desiredCount: number;

  constructor(scope: Construct, id: string, props: EventProducerServiceProps) {
    super(scope, id);
    const desiredCount = props.desiredCount ?? 1;
    const eventsPerSecond = props.eventsPerSecond ?? 1;
    const cpu = props.cpu ?? 256;
    const memoryLimitMiB = props.memoryLimitMiB ?? 512;
    const where = `EventProducerService ${this.node.path}`;
    if (!Number.isInteger(desiredCount) || desiredCount < 0) {
      throw new Error(`${where}: desiredCount is ${desiredCount}; use a whole number of tasks, 0 or more`);
    }
    // 0 would make the producer send as fast as it can, which is a benchmark, not a deployment.
    if (!(eventsPerSecond > 0)) {
      throw new Error(`${where}: eventsPerSecond is ${eventsPerSecond}; use more than 0 events per second`);
    }
    const memoryRange = FARGATE_MEMORY_BY_CPU.get(cpu);
    if (memoryRange === undefined) {
      throw new Error(`${where}: cpu is ${cpu}; use one of ${[...FARGATE_MEMORY_BY_CPU.keys()].join(', ')}`);
    }
    if (memoryLimitMiB < memoryRange.min || memoryLimitMiB > memoryRange.max) {
      throw new Error(
        `${where}: memoryLimitMiB is ${memoryLimitMiB}; with cpu ${cpu} Fargate accepts ${memoryRange.min} to ${memoryRange.max}`,
      );
    }
    this.desiredCount = desiredCount;
    const eventStream = props.eventStream;

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: props.vpc,
      // Running task count and per-task CPU and memory, for the dashboard and the task alarm.
      containerInsightsV2: ContainerInsights.ENABLED,
    });
    this.taskDefinition = new FargateTaskDefinition(this, 'TaskDefinition', {
      cpu,
      memoryLimitMiB,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.X86_64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    const brokers = new BootstrapBrokersLookup(this, 'BootstrapBrokers', { eventStream });
    this.taskDefinition.addContainer('Producer', {
      image: ContainerImage.fromAsset(props.buildContext ?? REPOSITORY_ROOT, {
        file: PRODUCER_DOCKERFILE,
        platform: Platform.LINUX_AMD64,
      }),
      logging: LogDrivers.awsLogs({ streamPrefix: 'producer', logGroup: this.logGroup }),
      // The producer's settings (lambdas/producer/main.ts); none of them is a secret: MSK IAM auth
      // signs with the task role's credentials.
      environment: {
        KAFKA_BROKERS: brokers.saslIamBrokers,
        KAFKA_AUTH: 'msk-iam',
        AWS_REGION: Stack.of(this).region,
        KAFKA_TOPIC: eventStream.topicName,
        TOPIC_PARTITIONS: String(eventStream.partitionCount),
        EVENT_RATE: String(eventsPerSecond),
      },
      readonlyRootFilesystem: true,
      // On SIGTERM the producer sends what it has taken, then exits; give it the time to.
      stopTimeout: Duration.seconds(30),
    });
    eventStream.grantProduce(this.taskDefinition.taskRole);

    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [eventStream.clientSecurityGroup],
      assignPublicIp: false,
      // A deployment starts the new tasks before stopping the old ones; one that cannot start
      // healthy tasks rolls back instead of leaving the service without producers.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
    });

    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds only non-secret settings (broker addresses, topic, rate, region); the producer authenticates to MSK with its task role, so there is no secret to move to Secrets Manager.',
    });
    const executionPolicy = this.taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
    if (executionPolicy !== undefined) {
      Validations.of(executionPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken, which CDK grants the execution role to pull the image, has no resource-level permissions: AWS requires Resource "*" for it.',
      });
    }
  }
}
