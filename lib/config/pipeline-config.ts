import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_RUN_SCHEDULE, type RunSchedule } from '../orchestration/pipeline-run-state-machine-props.js';

/**
 * Typed, validated per-environment configuration of the pipeline's infrastructure.
 *
 * It is read from the CDK context (`cdk.json` -> `context.environments.<name>`) in `bin/` only;
 * stacks and constructs receive the typed values as props and never read context or
 * `process.env` themselves.
 */

/** The context key that holds one object per environment. */
export const ENVIRONMENTS_CONTEXT_KEY = 'environments';
/** The context key that selects the environment (`-c env=prod`). */
export const ENVIRONMENT_SELECTOR_CONTEXT_KEY = 'env';
/** The explicit context flag that allows deleting the lake with the stack (`-c destroyOnRemoval=true`). */
export const DESTROY_ON_REMOVAL_CONTEXT_KEY = 'destroyOnRemoval';
/** The environment used when `-c env=...` is not given. */
export const DEFAULT_ENVIRONMENT_NAME = 'dev';

/**
 * How the MSK cluster is provisioned. Only a provisioned cluster gets the events topic created at
 * deploy time; with `serverless` the topic must be created with a Kafka admin client.
 */
export type MskMode = 'serverless' | 'provisioned';
const MSK_MODES: readonly MskMode[] = ['serverless', 'provisioned'];

/** Broker sizing of a provisioned MSK cluster. */
export interface ProvisionedBrokersConfig {
  /** MSK broker instance type, e.g. `kafka.m7g.large`. */
  readonly instanceType: string;
  /** Brokers in each availability zone; the cluster has `brokersPerAz * AZ count` brokers. */
  readonly brokersPerAz: number;
  /** EBS storage per broker, in GiB. */
  readonly ebsVolumeGiB: number;
  /** Apache Kafka version as MSK names it, e.g. `3.8.x`. */
  readonly kafkaVersion: string;
}

/** The network: how many availability zones and whether private subnets get a NAT route out. */
export interface NetworkConfig {
  /**
   * Availability zones to spread subnets over (2 or 3; MSK needs at least 2). An
   * environment-agnostic stack can resolve at most 2 AZs, so 3 only takes effect once the stacks
   * are bound to an account and region.
   */
  readonly maxAzs: number;
  /**
   * NAT gateways. 0 keeps every subnet private and isolated: AWS APIs are reached only through VPC
   * endpoints and nothing reaches the internet. More than 0 adds public subnets that hold only
   * the NAT gateways (no ingress) and gives the private subnets an egress route.
   */
  readonly natGateways: number;
}

/** The Kafka side: cluster mode and the events topic. */
export interface StreamingConfig {
  readonly mode: MskMode;
  /** Broker sizing; present exactly when `mode` is `provisioned`. */
  readonly provisioned?: ProvisionedBrokersConfig;
  readonly topicName: string;
  readonly partitionCount: number;
  /** Copies of each partition: serverless MSK always keeps 3; provisioned defaults to min(3, brokers). */
  readonly replicationFactor: number;
}

/** Lifecycle of the lake's objects, in days. */
export interface LakeConfig {
  /** Days after which `bronze/` objects move to S3 Standard-IA (S3 requires at least 30). */
  readonly bronzeInfrequentAccessAfterDays: number;
  /** Days after which `bronze/` objects move to Glacier Instant Retrieval (at least 30 after IA). */
  readonly bronzeGlacierInstantRetrievalAfterDays: number;
  /** Days after which `quarantine/` objects are deleted. */
  readonly quarantineExpirationDays: number;
  /** Days a replaced or deleted object version is kept before it is deleted for good. */
  readonly noncurrentVersionExpirationDays: number;
  /** Days the S3 server access logs are kept. */
  readonly accessLogExpirationDays: number;
}

/** The Fargate producer: how many tasks, how fast each one sends, and each task's size. */
export interface ProducerConfig {
  /** Producer tasks to keep running (0 stops producing without deleting the service). */
  readonly desiredCount: number;
  /** Events per second each task sends (the producer's EVENT_RATE); more than 0. */
  readonly eventRate: number;
  /** vCPU units of each task: 256, 512, 1024, 2048 or 4096. */
  readonly cpu: number;
  /** Memory of each task in MiB; Fargate allows only certain values for each `cpu`. */
  readonly memoryMiB: number;
}

/** The consumer Lambda function and its MSK event source. */
export interface IngestionConfig {
  /** Kafka consumer group the event source joins; it commits the function's offsets. */
  readonly consumerGroupId: string;
  /** Most records per invocation (1 to 10,000). */
  readonly batchSize: number;
  /** Longest time the event source gathers records before invoking, in seconds (0 to 300). */
  readonly maxBatchingWindowSeconds: number;
  /** Retries of a failed batch before it goes to the on-failure destination (0 to 10,000; never infinite). */
  readonly retryAttempts: number;
  /** Records older than this, in seconds, go to the on-failure destination instead (60 to 604,800). */
  readonly maxRecordAgeSeconds: number;
  /** Provisioned event pollers kept at all times (1 to 200). */
  readonly minimumPollers: number;
  /** Provisioned event pollers the event source may scale to (at least `minimumPollers`, at most 2,000). */
  readonly maximumPollers: number;
  /** Memory of the consumer function in MiB (128 to 10,240). */
  readonly memoryMiB: number;
  /** Timeout of one invocation, in seconds (1 to 900). */
  readonly timeoutSeconds: number;
}

/**
 * What Snowflake's storage integration reports about itself (`DESC INTEGRATION`): the IAM user it
 * assumes the lake-reader role as, and the external id it sends. Known only once the integration
 * exists, so a first deployment goes without it (see the README's Snowflake steps).
 */
export interface SnowflakeStorageIntegrationConfig {
  /** STORAGE_AWS_IAM_USER_ARN, e.g. `arn:aws:iam::123456789012:user/abc0-s-xyz`. */
  readonly iamUserArn: string;
  /** STORAGE_AWS_EXTERNAL_ID. */
  readonly externalId: string;
}

/** The loader function, and the schedule of the pipeline run that invokes it. */
export interface LoadingConfig {
  /**
   * When the pipeline run starts: every `everyMinutes` (5, 10, 15, 20, 30 or 60) from `minute` of
   * each hour, and which run checks all of history; validated by the state machine construct.
   */
  readonly schedule: RunSchedule;
  /** Memory of the loader function in MiB (128 to 10,240). */
  readonly memoryMiB: number;
  /**
   * Timeout of one load, in seconds (120 to 900); less than the hour between runs. Snowflake's
   * statement and lock timeouts are set 60 seconds below it.
   */
  readonly timeoutSeconds: number;
  /** Who may assume the lake-reader role. Absent: only this account, until the integration exists. */
  readonly snowflakeStorageIntegration?: SnowflakeStorageIntegrationConfig;
}

/** The transformation half of the pipeline run, and its SQL-runner function. */
export interface TransformationConfig {
  /** Memory of the SQL-runner function in MiB (128 to 10,240); it waits on Snowflake, so little is needed. */
  readonly stepMemoryMiB: number;
  /**
   * Timeout of one model or test, in seconds (120 to 900). Snowflake's statement and lock timeouts
   * are set 60 seconds below it.
   */
  readonly stepTimeoutSeconds: number;
  /**
   * Timeout of the work of a whole run (load, then transform), in minutes (5 to 1,440); the
   * execution's timeout adds the longest wait for the run lease to it.
   */
  readonly runTimeoutMinutes: number;
  /** Retries of a step whose warehouse connection failed (0 to 10). */
  readonly connectionRetries: number;
}

/** Thresholds of the ingestion alarms. */
export interface ObservabilityConfig {
  /** Alarm when the event source's OffsetLag (records behind the topic's end) stays above this. */
  readonly offsetLagThreshold: number;
  /** Alarm when the share of consumed records sent to quarantine exceeds this (between 0 and 1). */
  readonly quarantineRateThreshold: number;
  /**
   * Alarm when the oldest lake file not yet loaded is older than this, in minutes, for two hours in
   * a row (or the loader reports nothing for two hours). At least the minutes between runs plus 30
   * (checked by the monitoring construct): a file written just after a load waits for the next run.
   */
  readonly freshnessThresholdMinutes: number;
}

/** Everything the infrastructure of one environment needs. */
export interface PipelineConfig {
  /** The environment's name (`dev`, `prod`); part of every stack name. */
  readonly environmentName: string;
  readonly network: NetworkConfig;
  readonly streaming: StreamingConfig;
  readonly lake: LakeConfig;
  readonly producer: ProducerConfig;
  readonly ingestion: IngestionConfig;
  readonly loading: LoadingConfig;
  readonly transformation: TransformationConfig;
  readonly observability: ObservabilityConfig;
  /** Retention of the pipeline's CloudWatch log groups (flow logs, broker logs, producer, consumer). */
  readonly logRetention: RetentionDays;
  /**
   * Delete the lake buckets (and their objects) with the stack. Only ever true when the explicit
   * context flag asks for it and the environment allows it.
   */
  readonly destroyOnRemoval: boolean;
}

/** Reads one CDK context value; `app.node.tryGetContext` in `bin/`, a plain object in tests. */
export type ContextReader = (key: string) => unknown;

const DEFAULT_TOPIC_NAME = 'spotify-events';
const DEFAULT_PARTITION_COUNT = 6;
const SERVERLESS_REPLICATION_FACTOR = 3;
const DEFAULT_PROVISIONED_REPLICATION_FACTOR = 3;
const DEFAULT_LOG_RETENTION_DAYS = 30;
const MINIMUM_DAYS_IN_INFREQUENT_ACCESS = 30;

const DEFAULT_LAKE: LakeConfig = {
  bronzeInfrequentAccessAfterDays: 30,
  bronzeGlacierInstantRetrievalAfterDays: 90,
  quarantineExpirationDays: 30,
  noncurrentVersionExpirationDays: 30,
  accessLogExpirationDays: 90,
};

const DEFAULT_PROVISIONED_BROKERS: ProvisionedBrokersConfig = {
  instanceType: 'kafka.m7g.large',
  brokersPerAz: 1,
  ebsVolumeGiB: 100,
  kafkaVersion: '3.8.x',
};

const DEFAULT_PRODUCER: ProducerConfig = { desiredCount: 1, eventRate: 1, cpu: 256, memoryMiB: 512 };

const DEFAULT_INGESTION: IngestionConfig = {
  consumerGroupId: 'spotify-lake-consumer',
  batchSize: 500,
  maxBatchingWindowSeconds: 5,
  retryAttempts: 3,
  maxRecordAgeSeconds: 6 * 60 * 60,
  minimumPollers: 1,
  maximumPollers: 2,
  memoryMiB: 1024,
  timeoutSeconds: 120,
};

const DEFAULT_OBSERVABILITY: ObservabilityConfig = {
  offsetLagThreshold: 10_000,
  quarantineRateThreshold: 0.05,
  freshnessThresholdMinutes: 180,
};

const DEFAULT_LOADING: Omit<LoadingConfig, 'snowflakeStorageIntegration' | 'schedule'> = {
  memoryMiB: 1024,
  timeoutSeconds: 900,
};

const DEFAULT_TRANSFORMATION: TransformationConfig = {
  stepMemoryMiB: 512,
  stepTimeoutSeconds: 900,
  runTimeoutMinutes: 120,
  connectionRetries: 3,
};

/** Memory (MiB) Fargate accepts for each CPU size. */
const FARGATE_MEMORY_BY_CPU: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, steps(1024, 4096, 1024)],
  [1024, steps(2048, 8192, 1024)],
  [2048, steps(4096, 16384, 1024)],
  [4096, steps(8192, 30720, 1024)],
]);

function steps(from: number, to: number, by: number): number[] {
  return Array.from({ length: (to - from) / by + 1 }, (_, index) => from + index * by);
}

/** CloudWatch Logs accepts only these retention periods. */
const ALLOWED_LOG_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (value): value is number => typeof value === 'number',
);

/** Thrown for any invalid configuration; the message names the key and the allowed values. */
export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
}

/**
 * Reads and validates the configuration of the environment selected by `-c env=<name>`
 * (default `dev`).
 *
 * @throws PipelineConfigError naming the bad key, the value found and what is allowed.
 */
export function loadPipelineConfig(readContext: ContextReader): PipelineConfig {
  const environments = readContext(ENVIRONMENTS_CONTEXT_KEY);
  if (!isRecord(environments)) {
    throw new PipelineConfigError(
      `context.${ENVIRONMENTS_CONTEXT_KEY} is missing or not an object: cdk.json must define one object per environment, e.g. "${ENVIRONMENTS_CONTEXT_KEY}": { "dev": {...}, "prod": {...} }`,
    );
  }
  const selected = readContext(ENVIRONMENT_SELECTOR_CONTEXT_KEY) ?? DEFAULT_ENVIRONMENT_NAME;
  const known = Object.keys(environments);
  if (typeof selected !== 'string' || !Object.hasOwn(environments, selected)) {
    throw new PipelineConfigError(
      `context.${ENVIRONMENT_SELECTOR_CONTEXT_KEY} is ${JSON.stringify(selected)}, which names no environment: use one of ${known.join(', ')} (-c ${ENVIRONMENT_SELECTOR_CONTEXT_KEY}=<name>)`,
    );
  }
  return parseEnvironmentConfig(
    selected,
    environments[selected],
    readContext(DESTROY_ON_REMOVAL_CONTEXT_KEY),
  );
}

/**
 * Validates one environment's raw object.
 *
 * @param destroyFlag the raw `destroyOnRemoval` context flag (`true`, `"true"`, `false`, `"false"` or absent)
 */
export function parseEnvironmentConfig(
  environmentName: string,
  raw: unknown,
  destroyFlag: unknown,
): PipelineConfig {
  const path = `${ENVIRONMENTS_CONTEXT_KEY}.${environmentName}`;
  const environment = requireRecord(raw, path);
  const network = parseNetwork(optionalRecord(environment.network, `${path}.network`), `${path}.network`);
  const streaming = parseStreaming(
    optionalRecord(environment.streaming, `${path}.streaming`),
    `${path}.streaming`,
    network.maxAzs,
  );
  const lake = parseLake(optionalRecord(environment.lake, `${path}.lake`), `${path}.lake`);
  const producer = parseProducer(
    optionalRecord(environment.producer, `${path}.producer`),
    `${path}.producer`,
  );
  const ingestion = parseIngestion(
    optionalRecord(environment.ingestion, `${path}.ingestion`),
    `${path}.ingestion`,
  );
  const loading = parseLoading(optionalRecord(environment.loading, `${path}.loading`), `${path}.loading`);
  const transformation = parseTransformation(
    optionalRecord(environment.transformation, `${path}.transformation`),
    `${path}.transformation`,
  );
  const observability = parseObservability(
    optionalRecord(environment.observability, `${path}.observability`),
    `${path}.observability`,
  );
  const logRetentionDays = optionalInteger(
    environment.logRetentionDays,
    `${path}.logRetentionDays`,
    DEFAULT_LOG_RETENTION_DAYS,
  );
  if (!ALLOWED_LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new PipelineConfigError(
      `${path}.logRetentionDays is ${logRetentionDays}, which CloudWatch Logs does not accept: use one of ${ALLOWED_LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  const allowDestroyOnRemoval = optionalBoolean(
    environment.allowDestroyOnRemoval,
    `${path}.allowDestroyOnRemoval`,
    false,
  );
  const destroyOnRemoval = parseBooleanFlag(destroyFlag, `context.${DESTROY_ON_REMOVAL_CONTEXT_KEY}`);
  if (destroyOnRemoval && !allowDestroyOnRemoval) {
    throw new PipelineConfigError(
      `context.${DESTROY_ON_REMOVAL_CONTEXT_KEY} is true but ${path}.allowDestroyOnRemoval is not: the "${environmentName}" lake must be retained. Drop -c ${DESTROY_ON_REMOVAL_CONTEXT_KEY}=true, or set allowDestroyOnRemoval: true for an environment whose data may be lost`,
    );
  }
  return {
    environmentName,
    network,
    streaming,
    lake,
    producer,
    ingestion,
    loading,
    transformation,
    observability,
    logRetention: logRetentionDays as RetentionDays,
    destroyOnRemoval,
  };
}

function parseNetwork(raw: Record<string, unknown>, path: string): NetworkConfig {
  const maxAzs = optionalInteger(raw.maxAzs, `${path}.maxAzs`, 2);
  if (maxAzs < 2 || maxAzs > 3) {
    throw new PipelineConfigError(
      `${path}.maxAzs is ${maxAzs}: use 2 or 3 (MSK spreads brokers over at least 2 availability zones)`,
    );
  }
  const natGateways = optionalInteger(raw.natGateways, `${path}.natGateways`, 0);
  if (natGateways < 0 || natGateways > maxAzs) {
    throw new PipelineConfigError(
      `${path}.natGateways is ${natGateways}: use 0 (isolated, endpoints only) up to maxAzs (${maxAzs}, one per zone)`,
    );
  }
  return { maxAzs, natGateways };
}

function parseStreaming(raw: Record<string, unknown>, path: string, maxAzs: number): StreamingConfig {
  // Provisioned by default: only there can CloudFormation create the topic at deploy time.
  const mode = raw.mode ?? 'provisioned';
  if (!isMskMode(mode)) {
    throw new PipelineConfigError(
      `${path}.mode is ${JSON.stringify(mode)}: use one of ${MSK_MODES.join(', ')}`,
    );
  }
  const topicName = raw.topicName ?? DEFAULT_TOPIC_NAME;
  // Kafka's own rule for topic names: at most 249 characters of [a-zA-Z0-9._-].
  if (typeof topicName !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(topicName)) {
    throw new PipelineConfigError(
      `${path}.topicName is ${JSON.stringify(topicName)}: use 1 to 249 characters of letters, digits, ".", "_" or "-"`,
    );
  }
  const partitionCount = optionalInteger(
    raw.partitionCount,
    `${path}.partitionCount`,
    DEFAULT_PARTITION_COUNT,
  );
  if (partitionCount < 1) {
    throw new PipelineConfigError(
      `${path}.partitionCount is ${partitionCount}: use a whole number of at least 1`,
    );
  }

  if (mode === 'serverless') {
    if (raw.provisioned !== undefined) {
      throw new PipelineConfigError(
        `${path}.provisioned is set but ${path}.mode is "serverless": remove it, or set mode to "provisioned"`,
      );
    }
    const replicationFactor = optionalInteger(
      raw.replicationFactor,
      `${path}.replicationFactor`,
      SERVERLESS_REPLICATION_FACTOR,
    );
    if (replicationFactor !== SERVERLESS_REPLICATION_FACTOR) {
      throw new PipelineConfigError(
        `${path}.replicationFactor is ${replicationFactor}: MSK Serverless always replicates ${SERVERLESS_REPLICATION_FACTOR} times; remove the key or set it to ${SERVERLESS_REPLICATION_FACTOR}`,
      );
    }
    return { mode, topicName, partitionCount, replicationFactor };
  }

  const brokersPath = `${path}.provisioned`;
  const brokers = optionalRecord(raw.provisioned, brokersPath);
  const provisioned: ProvisionedBrokersConfig = {
    instanceType: optionalString(
      brokers.instanceType,
      `${brokersPath}.instanceType`,
      DEFAULT_PROVISIONED_BROKERS.instanceType,
    ),
    brokersPerAz: optionalInteger(
      brokers.brokersPerAz,
      `${brokersPath}.brokersPerAz`,
      DEFAULT_PROVISIONED_BROKERS.brokersPerAz,
    ),
    ebsVolumeGiB: optionalInteger(
      brokers.ebsVolumeGiB,
      `${brokersPath}.ebsVolumeGiB`,
      DEFAULT_PROVISIONED_BROKERS.ebsVolumeGiB,
    ),
    kafkaVersion: optionalString(
      brokers.kafkaVersion,
      `${brokersPath}.kafkaVersion`,
      DEFAULT_PROVISIONED_BROKERS.kafkaVersion,
    ),
  };
  if (!provisioned.instanceType.startsWith('kafka.')) {
    throw new PipelineConfigError(
      `${brokersPath}.instanceType is "${provisioned.instanceType}": use an MSK broker type such as kafka.m7g.large (it starts with "kafka.")`,
    );
  }
  if (provisioned.brokersPerAz < 1) {
    throw new PipelineConfigError(
      `${brokersPath}.brokersPerAz is ${provisioned.brokersPerAz}: use a whole number of at least 1`,
    );
  }
  if (provisioned.ebsVolumeGiB < 1 || provisioned.ebsVolumeGiB > 16384) {
    throw new PipelineConfigError(
      `${brokersPath}.ebsVolumeGiB is ${provisioned.ebsVolumeGiB}: use 1 to 16384 (GiB per broker)`,
    );
  }
  const brokerCount = provisioned.brokersPerAz * maxAzs;
  const replicationFactor = optionalInteger(
    raw.replicationFactor,
    `${path}.replicationFactor`,
    Math.min(DEFAULT_PROVISIONED_REPLICATION_FACTOR, brokerCount),
  );
  if (replicationFactor < 1 || replicationFactor > brokerCount) {
    throw new PipelineConfigError(
      `${path}.replicationFactor is ${replicationFactor}: use 1 up to the broker count, ${brokerCount} (provisioned.brokersPerAz ${provisioned.brokersPerAz} x network.maxAzs ${maxAzs})`,
    );
  }
  const [major = 0, minor = 0] = (/^(\d+)\.(\d+)/.exec(provisioned.kafkaVersion) ?? []).slice(1).map(Number);
  if (major < 3 || (major === 3 && minor < 6)) {
    throw new PipelineConfigError(
      `${brokersPath}.kafkaVersion is "${provisioned.kafkaVersion}": use 3.6.0 or later (e.g. 3.8.x); the topic is created through MSK's topic API, which needs it`,
    );
  }
  return { mode, provisioned, topicName, partitionCount, replicationFactor };
}

function parseLake(raw: Record<string, unknown>, path: string): LakeConfig {
  const days = (key: keyof LakeConfig): number => {
    const value = optionalInteger(raw[key], `${path}.${key}`, DEFAULT_LAKE[key]);
    if (value < 1)
      throw new PipelineConfigError(`${path}.${key} is ${value}: use a whole number of days, at least 1`);
    return value;
  };
  const lake: LakeConfig = {
    bronzeInfrequentAccessAfterDays: days('bronzeInfrequentAccessAfterDays'),
    bronzeGlacierInstantRetrievalAfterDays: days('bronzeGlacierInstantRetrievalAfterDays'),
    quarantineExpirationDays: days('quarantineExpirationDays'),
    noncurrentVersionExpirationDays: days('noncurrentVersionExpirationDays'),
    accessLogExpirationDays: days('accessLogExpirationDays'),
  };
  // S3 rejects a Standard-IA transition before day 30, and a later transition that leaves an
  // object in Standard-IA for fewer than 30 days.
  if (lake.bronzeInfrequentAccessAfterDays < MINIMUM_DAYS_IN_INFREQUENT_ACCESS) {
    throw new PipelineConfigError(
      `${path}.bronzeInfrequentAccessAfterDays is ${lake.bronzeInfrequentAccessAfterDays}: S3 allows the move to Standard-IA from day ${MINIMUM_DAYS_IN_INFREQUENT_ACCESS} on`,
    );
  }
  const earliestGlacier = lake.bronzeInfrequentAccessAfterDays + MINIMUM_DAYS_IN_INFREQUENT_ACCESS;
  if (lake.bronzeGlacierInstantRetrievalAfterDays < earliestGlacier) {
    throw new PipelineConfigError(
      `${path}.bronzeGlacierInstantRetrievalAfterDays is ${lake.bronzeGlacierInstantRetrievalAfterDays}: use at least ${earliestGlacier} (bronzeInfrequentAccessAfterDays + ${MINIMUM_DAYS_IN_INFREQUENT_ACCESS}; S3 keeps an object in Standard-IA for 30 days)`,
    );
  }
  return lake;
}

function parseProducer(raw: Record<string, unknown>, path: string): ProducerConfig {
  const desiredCount = optionalInteger(
    raw.desiredCount,
    `${path}.desiredCount`,
    DEFAULT_PRODUCER.desiredCount,
  );
  requireRange(desiredCount, `${path}.desiredCount`, 0, 100, 'tasks');
  const eventRate = optionalNumber(raw.eventRate, `${path}.eventRate`, DEFAULT_PRODUCER.eventRate);
  if (eventRate <= 0 || eventRate > 100_000) {
    throw new PipelineConfigError(
      `${path}.eventRate is ${eventRate}: use events per second per task, more than 0 and at most 100000 (0 would make the producer send as fast as it can)`,
    );
  }
  const cpu = optionalInteger(raw.cpu, `${path}.cpu`, DEFAULT_PRODUCER.cpu);
  const allowedMemory = FARGATE_MEMORY_BY_CPU.get(cpu);
  if (allowedMemory === undefined) {
    throw new PipelineConfigError(
      `${path}.cpu is ${cpu}: use one of ${[...FARGATE_MEMORY_BY_CPU.keys()].join(', ')} (Fargate CPU units; 1024 is one vCPU)`,
    );
  }
  const memoryMiB = optionalInteger(
    raw.memoryMiB,
    `${path}.memoryMiB`,
    Math.max(DEFAULT_PRODUCER.memoryMiB, allowedMemory[0]!),
  );
  if (!allowedMemory.includes(memoryMiB)) {
    throw new PipelineConfigError(
      `${path}.memoryMiB is ${memoryMiB}, which Fargate does not offer with cpu ${cpu}: use ${allowedMemory[0]} to ${allowedMemory.at(-1)}${allowedMemory.length > 3 ? ' in steps of 1024' : ` (one of ${allowedMemory.join(', ')})`}`,
    );
  }
  return { desiredCount, eventRate, cpu, memoryMiB };
}

function parseIngestion(raw: Record<string, unknown>, path: string): IngestionConfig {
  const consumerGroupId = optionalString(
    raw.consumerGroupId,
    `${path}.consumerGroupId`,
    DEFAULT_INGESTION.consumerGroupId,
  );
  if (!/^[a-zA-Z0-9._-]{1,200}$/.test(consumerGroupId)) {
    throw new PipelineConfigError(
      `${path}.consumerGroupId is ${JSON.stringify(consumerGroupId)}: use 1 to 200 letters, digits, ".", "_" or "-" (it becomes part of an IAM resource ARN)`,
    );
  }
  const integer = (
    key: Exclude<keyof IngestionConfig, 'consumerGroupId'>,
    min: number,
    max: number,
    unit: string,
  ) => {
    const value = optionalInteger(raw[key], `${path}.${key}`, DEFAULT_INGESTION[key]);
    requireRange(value, `${path}.${key}`, min, max, unit);
    return value;
  };
  const ingestion: IngestionConfig = {
    consumerGroupId,
    // Lambda's limits for an MSK event source.
    batchSize: integer('batchSize', 1, 10_000, 'records'),
    maxBatchingWindowSeconds: integer('maxBatchingWindowSeconds', 0, 300, 'seconds'),
    // -1 (retry forever) is refused on purpose: one bad batch would block its partition until the
    // records expire from the topic.
    retryAttempts: integer('retryAttempts', 0, 10_000, 'retries'),
    maxRecordAgeSeconds: integer('maxRecordAgeSeconds', 60, 604_800, 'seconds'),
    minimumPollers: integer('minimumPollers', 1, 200, 'pollers'),
    maximumPollers: integer('maximumPollers', 1, 2_000, 'pollers'),
    memoryMiB: integer('memoryMiB', 128, 10_240, 'MiB'),
    timeoutSeconds: integer('timeoutSeconds', 1, 900, 'seconds'),
  };
  if (ingestion.maximumPollers < ingestion.minimumPollers) {
    throw new PipelineConfigError(
      `${path}.maximumPollers is ${ingestion.maximumPollers}, below minimumPollers (${ingestion.minimumPollers}): raise maximumPollers or lower minimumPollers`,
    );
  }
  return ingestion;
}

function parseObservability(raw: Record<string, unknown>, path: string): ObservabilityConfig {
  const offsetLagThreshold = optionalInteger(
    raw.offsetLagThreshold,
    `${path}.offsetLagThreshold`,
    DEFAULT_OBSERVABILITY.offsetLagThreshold,
  );
  requireRange(offsetLagThreshold, `${path}.offsetLagThreshold`, 1, Number.MAX_SAFE_INTEGER, 'records');
  const quarantineRateThreshold = optionalNumber(
    raw.quarantineRateThreshold,
    `${path}.quarantineRateThreshold`,
    DEFAULT_OBSERVABILITY.quarantineRateThreshold,
  );
  if (quarantineRateThreshold <= 0 || quarantineRateThreshold >= 1) {
    throw new PipelineConfigError(
      `${path}.quarantineRateThreshold is ${quarantineRateThreshold}: use a share between 0 and 1, e.g. 0.05 for 5% of records quarantined`,
    );
  }
  const freshnessThresholdMinutes = optionalInteger(
    raw.freshnessThresholdMinutes,
    `${path}.freshnessThresholdMinutes`,
    DEFAULT_OBSERVABILITY.freshnessThresholdMinutes,
  );
  requireRange(freshnessThresholdMinutes, `${path}.freshnessThresholdMinutes`, 35, 10_080, 'minutes');
  return { offsetLagThreshold, quarantineRateThreshold, freshnessThresholdMinutes };
}

function parseLoading(raw: Record<string, unknown>, path: string): LoadingConfig {
  const integer = (key: keyof typeof DEFAULT_LOADING, min: number, max: number, unit: string) => {
    const value = optionalInteger(raw[key], `${path}.${key}`, DEFAULT_LOADING[key]);
    requireRange(value, `${path}.${key}`, min, max, unit);
    return value;
  };
  if (raw.scheduleMinute !== undefined)
    throw new PipelineConfigError(
      `${path}.scheduleMinute is no longer read: write ${path}.schedule = {"everyMinutes": 60, "minute": ${JSON.stringify(raw.scheduleMinute)}}`,
    );
  const schedule = optionalRecord(raw.schedule, `${path}.schedule`);
  const loading: LoadingConfig = {
    schedule: {
      everyMinutes: optionalInteger(
        schedule.everyMinutes,
        `${path}.schedule.everyMinutes`,
        DEFAULT_RUN_SCHEDULE.everyMinutes,
      ),
      minute: optionalInteger(schedule.minute, `${path}.schedule.minute`, DEFAULT_RUN_SCHEDULE.minute),
      fullChecksHourUtc: optionalInteger(
        schedule.fullChecksHourUtc,
        `${path}.schedule.fullChecksHourUtc`,
        DEFAULT_RUN_SCHEDULE.fullChecksHourUtc,
      ),
    },
    memoryMiB: integer('memoryMiB', 128, 10_240, 'MiB'),
    timeoutSeconds: integer('timeoutSeconds', 120, 900, 'seconds'),
  };
  if (raw.snowflakeStorageIntegration === undefined) return loading;
  const integrationPath = `${path}.snowflakeStorageIntegration`;
  const integration = requireRecord(raw.snowflakeStorageIntegration, integrationPath);
  const iamUserArn = optionalString(integration.iamUserArn, `${integrationPath}.iamUserArn`, '');
  if (!/^arn:aws[a-z-]*:iam::\d{12}:user\/\S+$/.test(iamUserArn)) {
    throw new PipelineConfigError(
      `${integrationPath}.iamUserArn is ${JSON.stringify(integration.iamUserArn)}: copy STORAGE_AWS_IAM_USER_ARN from Snowflake's DESC INTEGRATION (arn:aws:iam::<12 digits>:user/...)`,
    );
  }
  const externalId = optionalString(integration.externalId, `${integrationPath}.externalId`, '');
  if (externalId === '') {
    throw new PipelineConfigError(
      `${integrationPath}.externalId is missing: copy STORAGE_AWS_EXTERNAL_ID from Snowflake's DESC INTEGRATION`,
    );
  }
  return { ...loading, snowflakeStorageIntegration: { iamUserArn, externalId } };
}

function parseTransformation(raw: Record<string, unknown>, path: string): TransformationConfig {
  const integer = (key: keyof TransformationConfig, min: number, max: number, unit: string) => {
    const value = optionalInteger(raw[key], `${path}.${key}`, DEFAULT_TRANSFORMATION[key]);
    requireRange(value, `${path}.${key}`, min, max, unit);
    return value;
  };
  return {
    stepMemoryMiB: integer('stepMemoryMiB', 128, 10_240, 'MiB'),
    stepTimeoutSeconds: integer('stepTimeoutSeconds', 120, 900, 'seconds'),
    runTimeoutMinutes: integer('runTimeoutMinutes', 5, 1_440, 'minutes'),
    connectionRetries: integer('connectionRetries', 0, 10, 'retries'),
  };
}

function requireRange(value: number, path: string, min: number, max: number, unit: string): void {
  if (value < min || value > max) {
    throw new PipelineConfigError(`${path} is ${value}: use ${min} to ${max} (${unit})`);
  }
}

function isMskMode(value: unknown): value is MskMode {
  return typeof value === 'string' && (MSK_MODES as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireRecord(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) {
    throw new PipelineConfigError(`${path} is ${JSON.stringify(value)}: it must be an object`);
  }
  return value;
}

function optionalRecord(value: unknown, path: string): Record<string, unknown> {
  return value === undefined ? {} : requireRecord(value, path);
}

function optionalInteger(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new PipelineConfigError(`${path} is ${JSON.stringify(value)}: it must be a whole number`);
  }
  return value;
}

function optionalNumber(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PipelineConfigError(`${path} is ${JSON.stringify(value)}: it must be a number`);
  }
  return value;
}

function optionalString(value: unknown, path: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) {
    throw new PipelineConfigError(`${path} is ${JSON.stringify(value)}: it must be a non-empty string`);
  }
  return value;
}

function optionalBoolean(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new PipelineConfigError(`${path} is ${JSON.stringify(value)}: use true or false`);
  }
  return value;
}

/** A `-c key=value` flag arrives as a string; cdk.json gives a boolean. Both are accepted. */
function parseBooleanFlag(value: unknown, path: string): boolean {
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new PipelineConfigError(`${path} is ${JSON.stringify(value)}: use true or false`);
}
