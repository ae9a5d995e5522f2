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
import { PIPELINE_NODE_MAJOR } from '../app/pipeline-node-version.js';
import { REPOSITORY_ROOT } from '../app/repository-root.js';
import { outsideRange, type WholeNumberRange } from '../app/whole-number-range.js';
import { BootstrapBrokersLookup } from './bootstrap-brokers-lookup.js';
import type { EventProducerServiceProps } from './event-producer-service-props.js';

/** The producer's Dockerfile, relative to the build context. */
export const PRODUCER_DOCKERFILE = 'lambdas/producer/Dockerfile';
/** The producer when the props do not say otherwise: one small task sending one event a second. */
export const EVENT_PRODUCER_DEFAULTS = {
  desiredCount: 1,
  eventsPerSecond: 1,
  cpu: 256,
  memoryLimitMiB: 512,
} as const satisfies Required<
  Pick<EventProducerServiceProps, 'desiredCount' | 'eventsPerSecond' | 'cpu' | 'memoryLimitMiB'>
>;

/** The task count {@link EventProducerService} accepts: a ceiling against a typo that would run a fleet. */
export const EVENT_PRODUCER_LIMITS = {
  desiredCount: { min: 0, max: 100, unit: 'tasks' },
} as const satisfies Record<string, WholeNumberRange>;

/**
 * Fargate's task sizes: for each CPU size (1024 units are one vCPU), the memory sizes (MiB) a task
 * of that size can have.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
const FARGATE_MEMORY_BY_CPU: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, steps(1024, 4096, 1024)],
  [1024, steps(2048, 8192, 1024)],
  [2048, steps(4096, 16_384, 1024)],
  [4096, steps(8192, 30_720, 1024)],
  [8192, steps(16_384, 61_440, 4096)],
  [16_384, steps(32_768, 122_880, 8192)],
]);

function steps(from: number, to: number, by: number): number[] {
  return Array.from({ length: (to - from) / by + 1 }, (_, index) => from + index * by);
}

/** Fargate's rule for a task's CPU: what to use instead of `cpu`, or `undefined` when Fargate offers it. */
export function fargateCpuProblem(cpu: number): string | undefined {
  return FARGATE_MEMORY_BY_CPU.has(cpu)
    ? undefined
    : `use one of ${[...FARGATE_MEMORY_BY_CPU.keys()].join(', ')} (Fargate CPU units; 1024 is one vCPU)`;
}

/**
 * Fargate's rule for a task's memory: the sizes (MiB) it offers with `cpu`, in words ("512 to 2048
 * (one of 512, 1024, 2048)", "1024 to 4096 in steps of 1024"), or `undefined` when `memoryMiB` is
 * one of them.
 */
export function fargateMemoryProblem(cpu: number, memoryMiB: number): string | undefined {
  const sizes = FARGATE_MEMORY_BY_CPU.get(cpu) ?? [];
  if (sizes.includes(memoryMiB)) return undefined;
  const [smallest = 0, second = 0] = sizes;
  const range = `${smallest} to ${sizes.at(-1)}`;
  return sizes.length > 3
    ? `${range} in steps of ${second - smallest}`
    : `${range} (one of ${sizes.join(', ')})`;
}

/** The most events a second one task may send: a ceiling that catches a mistyped rate; a load test runs more tasks. */
const MOST_EVENTS_PER_SECOND = 100_000;

/**
 * What to use instead of `eventsPerSecond` for one task, or `undefined` when it is a rate the
 * producer should send at. 0 would make it send as fast as it can: a benchmark, not a deployment.
 */
export function eventRateProblem(eventsPerSecond: number): string | undefined {
  return eventsPerSecond > 0 && eventsPerSecond <= MOST_EVENTS_PER_SECOND
    ? undefined
    : `use more than 0 and at most ${MOST_EVENTS_PER_SECOND} events per second per task (0 would make the producer send as fast as it can)`;
}

/** A task's memory (MiB) when none is asked for: the producer's default, or the least Fargate offers with `cpu`. */
export function defaultMemoryMiB(cpu: number): number {
  return Math.max(EVENT_PRODUCER_DEFAULTS.memoryLimitMiB, FARGATE_MEMORY_BY_CPU.get(cpu)?.[0] ?? 0);
}

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
    const desiredCount = props.desiredCount ?? EVENT_PRODUCER_DEFAULTS.desiredCount;
    const eventsPerSecond = props.eventsPerSecond ?? EVENT_PRODUCER_DEFAULTS.eventsPerSecond;
    const cpu = props.cpu ?? EVENT_PRODUCER_DEFAULTS.cpu;
    const memoryLimitMiB = props.memoryLimitMiB ?? defaultMemoryMiB(cpu);
    const where = `EventProducerService ${this.node.path}`;
    const countRefused = outsideRange(desiredCount, EVENT_PRODUCER_LIMITS.desiredCount);
    if (countRefused !== undefined) {
      throw new Error(`${where}: desiredCount is ${desiredCount}; ${countRefused}`);
    }
    const rateRefused = eventRateProblem(eventsPerSecond);
    if (rateRefused !== undefined) {
      throw new Error(`${where}: eventsPerSecond is ${eventsPerSecond}; ${rateRefused}`);
    }
    const cpuRefused = fargateCpuProblem(cpu);
    if (cpuRefused !== undefined) throw new Error(`${where}: cpu is ${cpu}; ${cpuRefused}`);
    const memoryRefused = fargateMemoryProblem(cpu, memoryLimitMiB);
    if (memoryRefused !== undefined) {
      throw new Error(
        `${where}: memoryLimitMiB is ${memoryLimitMiB}; with cpu ${cpu} Fargate accepts ${memoryRefused}`,
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
        buildArgs: { NODE_MAJOR: String(PIPELINE_NODE_MAJOR) },
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
        TOPIC_RETENTION_HOURS: String(eventStream.retention.toHours()),
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
