import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { WholeNumberRange } from '../app/whole-number-range.js';
import {
  LAKE_CONSUMER_DEFAULTS,
  LAKE_CONSUMER_LIMITS,
  maximumPollersProblem,
} from '../ingestion/lake-consumer-function.js';
import { bronzeTransitionProblem, LAKE_STORAGE_DEFAULTS } from '../lake/lake-storage.js';
import { LAKE_LOADER_DEFAULT_MEMORY_MIB } from '../loading/lake-loader.js';
import {
  natGatewaysProblem,
  PIPELINE_NETWORK_DEFAULTS,
  zoneCountProblem,
} from '../network/pipeline-network.js';
import {
  brokerDiskThresholdProblem,
  INGESTION_MONITORING_DEFAULTS,
  quarantineRateProblem,
} from '../observability/ingestion-monitoring.js';
import {
  minimumFreshnessThreshold,
  WAREHOUSE_MONITORING_DEFAULTS,
} from '../observability/warehouse-monitoring.js';
import {
  CONNECTION_RETRIES_RANGE,
  DEFAULT_RUN_SCHEDULE,
  PIPELINE_RUN_DEFAULTS,
  RUN_CADENCES_MINUTES,
} from '../orchestration/pipeline-run-state-machine-props.js';
import {
  defaultMemoryMiB,
  EVENT_PRODUCER_DEFAULTS,
  EVENT_PRODUCER_LIMITS,
  eventRateProblem,
  fargateCpuProblem,
  fargateMemoryProblem,
} from '../producer/event-producer-service.js';
import {
  consumerGroupIdProblem,
  EVENT_STREAM_LIMITS,
  EVENTS_TOPIC_DEFAULTS,
  hasMskTopicApi,
  OLDEST_KAFKA_WITH_TOPIC_API,
  SERVERLESS_REPLICATION_FACTOR,
  topicNameProblem,
  topicRetentionProblem,
} from '../streaming/event-stream-cluster.js';
import {
  MINIMUM_WAREHOUSE_FUNCTION_TIMEOUT,
  WAREHOUSE_SQL_FUNCTION_DEFAULTS,
} from '../warehouse/warehouse-sql-function.js';
import {
  between,
  decimal,
  eachKey,
  fail,
  flag,
  isRecord,
  PipelineConfigError,
  type Read,
  type Rule,
  readerOf,
  refuse,
  requireRecord,
  section,
  text,
  whole,
} from './config-table.js';

/**
 * Typed, validated per-environment configuration of the pipeline's infrastructure, read from the
 * CDK context (`cdk.json` -> `context.environments.<name>`) in `bin/` only: stacks and constructs
 * take the typed values as props, and never read context or `process.env` themselves.
 *
 * Each section is a table of its keys with their defaults and rules, taken from the constructs
 * that apply them (their `*_DEFAULTS`, `*_LIMITS` and `...Problem` exports): what a construct would
 * refuse is refused here first, naming the key's path in cdk.json.
 */

/** The context key that holds one object per environment. */
export const ENVIRONMENTS_CONTEXT_KEY = 'environments';
/** The context key that selects the environment (`-c env=prod`). */
export const ENVIRONMENT_SELECTOR_CONTEXT_KEY = 'env';
/** The explicit context flag that allows deleting the lake with the stack (`-c destroyOnRemoval=true`). */
export const DESTROY_ON_REMOVAL_CONTEXT_KEY = 'destroyOnRemoval';
/** The environment used when `-c env=...` is not given. */
export const DEFAULT_ENVIRONMENT_NAME = 'dev';

export { PipelineConfigError };

/** Reads one CDK context value; `app.node.tryGetContext` in `bin/`, a plain object in tests. */
export type ContextReader = (key: string) => unknown;

const mskMode = readerOf(
  (raw): raw is 'serverless' | 'provisioned' => raw === 'serverless' || raw === 'provisioned',
  'use one of serverless, provisioned',
);

/** Lambda's memory sizes, for every function of the pipeline. */
const LAMBDA_MEMORY_MIB = between(128, 10_240, 'MiB');
/** A function that runs SQL on Snowflake: its own floor, up to Lambda's longest timeout. */
const SQL_TIMEOUT_SECONDS = between(MINIMUM_WAREHOUSE_FUNCTION_TIMEOUT.toSeconds(), 900, 'seconds');
// Short names for the defaults the tables read most.
const SQL_FUNCTION = WAREHOUSE_SQL_FUNCTION_DEFAULTS;
const CONSUMER = LAKE_CONSUMER_DEFAULTS;
const ALARMS = INGESTION_MONITORING_DEFAULTS;
/** The freshness alarm's floor for the shortest cadence; the monitoring construct checks the schedule's own. */
const FRESHNESS_FLOOR_MINUTES = minimumFreshnessThreshold(
  Duration.minutes(Math.min(...RUN_CADENCES_MINUTES)),
).toMinutes();
const LAKE_DAYS: WholeNumberRange = { min: 1, unit: 'days' };
const DEFAULT_LOG_RETENTION_DAYS = 30;
/** CloudWatch Logs accepts only these retention periods. */
const ALLOWED_LOG_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (value): value is number => typeof value === 'number',
);

const NETWORK = section(
  {
    maxAzs: whole(PIPELINE_NETWORK_DEFAULTS.maxAzs, zoneCountProblem),
    natGateways: whole(PIPELINE_NETWORK_DEFAULTS.natGateways),
  },
  ({ maxAzs, natGateways }, path) => {
    const refused = natGatewaysProblem(natGateways, maxAzs);
    return refused && `${path}.natGateways is ${natGateways}: ${refused}`;
  },
);

const STREAMING = section({
  // Provisioned by default: only there can CloudFormation create the topic at deploy time.
  mode: mskMode('provisioned'),
  topicName: text(EVENTS_TOPIC_DEFAULTS.topicName, topicNameProblem),
  partitionCount: whole(EVENTS_TOPIC_DEFAULTS.partitionCount, EVENT_STREAM_LIMITS.partitionCount),
  /** How long the topic keeps records; checked against ingestion.maxRecordAgeSeconds below. */
  retentionHours: whole(EVENTS_TOPIC_DEFAULTS.retention.toHours(), { min: 1, unit: 'hours' }),
});

const PROVISIONED_BROKERS = section({
  instanceType: text('kafka.m7g.large', (type) =>
    type.startsWith('kafka.')
      ? undefined
      : 'use an MSK broker type such as kafka.m7g.large (it starts with "kafka.")',
  ),
  brokersPerAz: whole(1, EVENT_STREAM_LIMITS.brokersPerAz),
  ebsVolumeGiB: whole(100, EVENT_STREAM_LIMITS.ebsVolumeGiB),
  kafkaVersion: text('3.8.x', (version) =>
    hasMskTopicApi(version)
      ? undefined
      : `use ${OLDEST_KAFKA_WITH_TOPIC_API} or later (e.g. 3.8.x); the topic is created through MSK's topic API, which needs it`,
  ),
});

/** Every lifetime in the lake, in days, at least 1; the moves to cheaper storage also by S3's rules. */
const LAKE = section(
  eachKey(LAKE_STORAGE_DEFAULTS, (days) => whole(days, LAKE_DAYS)),
  (lake, path) => {
    const refused = bronzeTransitionProblem(
      lake.bronzeInfrequentAccessAfterDays,
      lake.bronzeGlacierInstantRetrievalAfterDays,
    );
    return refused && `${path}.${refused.key} is ${refused.value}: ${refused.problem}`;
  },
);

/** The task's memory, `memoryMiB`, is read once its `cpu` is known: the memory sizes Fargate offers depend on it. */
const PRODUCER = section({
  desiredCount: whole(EVENT_PRODUCER_DEFAULTS.desiredCount, EVENT_PRODUCER_LIMITS.desiredCount),
  /** Events per second each task sends (the producer's EVENT_RATE). */
  eventRate: decimal(EVENT_PRODUCER_DEFAULTS.eventsPerSecond, eventRateProblem),
  cpu: whole(EVENT_PRODUCER_DEFAULTS.cpu, fargateCpuProblem),
});

// Lambda's limits for a function and its MSK event source, and the consumer's own for retries and pollers.
const INGESTION = section(
  {
    consumerGroupId: text(CONSUMER.consumerGroupId, consumerGroupIdProblem),
    batchSize: whole(CONSUMER.batchSize, between(1, 10_000, 'records')),
    maxBatchingWindowSeconds: whole(CONSUMER.maxBatchingWindow.toSeconds(), between(0, 300, 'seconds')),
    retryAttempts: whole(CONSUMER.retryAttempts, LAKE_CONSUMER_LIMITS.retryAttempts),
    maxRecordAgeSeconds: whole(CONSUMER.maxRecordAge.toSeconds(), between(60, 604_800, 'seconds')),
    minimumPollers: whole(CONSUMER.minimumPollers, LAKE_CONSUMER_LIMITS.minimumPollers),
    maximumPollers: whole(CONSUMER.maximumPollers, LAKE_CONSUMER_LIMITS.maximumPollers),
    memoryMiB: whole(CONSUMER.memorySize, LAMBDA_MEMORY_MIB),
    timeoutSeconds: whole(CONSUMER.timeout.toSeconds(), between(1, 900, 'seconds')),
  },
  ({ minimumPollers, maximumPollers }, path) => {
    const refused = maximumPollersProblem(minimumPollers, maximumPollers);
    return refused && `${path}.maximumPollers is ${maximumPollers}: ${refused}`;
  },
);

const COPY_IAM_USER_ARN =
  "copy STORAGE_AWS_IAM_USER_ARN from Snowflake's DESC INTEGRATION (arn:aws:iam::<12 digits>:user/...)";
const STORAGE_INTEGRATION = section({
  iamUserArn: text({ ifMissing: COPY_IAM_USER_ARN }, (arn) =>
    /^arn:aws[a-z-]*:iam::\d{12}:user\/\S+$/.test(arn) ? undefined : COPY_IAM_USER_ARN,
  ),
  externalId: text({ ifMissing: "copy STORAGE_AWS_EXTERNAL_ID from Snowflake's DESC INTEGRATION" }),
});

const LOADING = section({
  /** When the pipeline run starts; the state machine construct checks the values against each other. */
  schedule: section(eachKey(DEFAULT_RUN_SCHEDULE, (fallback) => whole(fallback))),
  memoryMiB: whole(LAKE_LOADER_DEFAULT_MEMORY_MIB, LAMBDA_MEMORY_MIB),
  timeoutSeconds: whole(SQL_FUNCTION.timeout.toSeconds(), SQL_TIMEOUT_SECONDS),
  /** Absent until Snowflake's storage integration exists: until then only this account may assume the role. */
  snowflakeStorageIntegration: (raw: unknown, path: string) =>
    raw === undefined ? undefined : STORAGE_INTEGRATION(raw, path),
});

const TRANSFORMATION = section({
  stepMemoryMiB: whole(SQL_FUNCTION.memorySize, LAMBDA_MEMORY_MIB),
  stepTimeoutSeconds: whole(SQL_FUNCTION.timeout.toSeconds(), SQL_TIMEOUT_SECONDS),
  runTimeoutMinutes: whole(PIPELINE_RUN_DEFAULTS.runTimeout.toMinutes(), between(5, 1_440, 'minutes')),
  connectionRetries: whole(PIPELINE_RUN_DEFAULTS.connectionRetries, CONNECTION_RETRIES_RANGE),
});

const OBSERVABILITY = section({
  offsetLagThreshold: whole(ALARMS.offsetLagThreshold, { min: 1, unit: 'records' }),
  quarantineRateThreshold: decimal(ALARMS.quarantineRateThreshold, quarantineRateProblem),
  brokerDiskUsedPercentThreshold: whole(ALARMS.brokerDiskUsedPercentThreshold, brokerDiskThresholdProblem),
  freshnessThresholdMinutes: whole(
    WAREHOUSE_MONITORING_DEFAULTS.freshnessThreshold.toMinutes(),
    between(FRESHNESS_FLOOR_MINUTES, 10_080, 'minutes'),
  ),
});

/** The network: how many availability zones and whether private subnets get a NAT route out. */
export type NetworkConfig = ReturnType<typeof NETWORK>;
/** The Kafka side: a serverless cluster, or provisioned brokers of a given size, and the events topic. */
export type StreamingConfig = ReturnType<typeof STREAMING> & {
  /** Present exactly when `mode` is `provisioned`. */
  readonly provisioned?: ReturnType<typeof PROVISIONED_BROKERS>;
  /** Copies of each partition: serverless MSK always keeps 3; provisioned defaults to min(3, brokers). */
  readonly replicationFactor: number;
};
/** Lifecycle of the lake's objects, in days. */
export type LakeConfig = ReturnType<typeof LAKE>;
/** The Fargate producer: how many tasks, how fast each one sends, and each task's size. */
export type ProducerConfig = ReturnType<typeof PRODUCER> & {
  /** Memory of each task in MiB, one Fargate offers with `cpu`; by default the least, at least 512. */
  readonly memoryMiB: number;
};
/** The consumer Lambda function and its MSK event source. */
export type IngestionConfig = ReturnType<typeof INGESTION>;
/** The loader function, and the schedule of the pipeline run that invokes it. */
export type LoadingConfig = ReturnType<typeof LOADING>;
/** The transformation half of the pipeline run, and its SQL-runner function. */
export type TransformationConfig = ReturnType<typeof TRANSFORMATION>;
/** Thresholds of the ingestion and warehouse alarms. */
export type ObservabilityConfig = ReturnType<typeof OBSERVABILITY>;

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

/**
 * Reads and validates the configuration of the environment selected by `-c env=<name>`
 * (default `dev`).
 *
 * @throws PipelineConfigError naming the bad key, the value found and what is allowed.
 */
export function loadPipelineConfig(readContext: ContextReader): PipelineConfig {
  const environments = readContext(ENVIRONMENTS_CONTEXT_KEY);
  if (!isRecord(environments)) {
    fail(
      `context.${ENVIRONMENTS_CONTEXT_KEY} is missing or not an object: cdk.json must define one object per environment, e.g. "${ENVIRONMENTS_CONTEXT_KEY}": { "dev": {...}, "prod": {...} }`,
    );
  }
  const selected = readContext(ENVIRONMENT_SELECTOR_CONTEXT_KEY) ?? DEFAULT_ENVIRONMENT_NAME;
  if (typeof selected !== 'string' || !Object.hasOwn(environments, selected)) {
    fail(
      `context.${ENVIRONMENT_SELECTOR_CONTEXT_KEY} is ${JSON.stringify(selected)}, which names no environment: use one of ${Object.keys(environments).join(', ')} (-c ${ENVIRONMENT_SELECTOR_CONTEXT_KEY}=<name>)`,
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
  const read = <T>(key: string, reader: Read<T>): T => reader(environment[key], `${path}.${key}`);
  const network = read('network', NETWORK);
  const logRetentionDays = read('logRetentionDays', whole(DEFAULT_LOG_RETENTION_DAYS));
  if (!ALLOWED_LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    fail(
      `${path}.logRetentionDays is ${logRetentionDays}, which CloudWatch Logs does not accept: use one of ${ALLOWED_LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  const allowDestroyOnRemoval = read('allowDestroyOnRemoval', flag(false));
  const config: PipelineConfig = {
    environmentName,
    network,
    streaming: read('streaming', (streaming, at) => readStreaming(streaming, at, network.maxAzs)),
    lake: read('lake', LAKE),
    producer: read('producer', readProducer),
    ingestion: read('ingestion', INGESTION),
    loading: read('loading', readLoading),
    transformation: read('transformation', TRANSFORMATION),
    observability: read('observability', OBSERVABILITY),
    logRetention: logRetentionDays as RetentionDays,
    destroyOnRemoval: readDestroyFlag(destroyFlag),
  };
  if (config.destroyOnRemoval && !allowDestroyOnRemoval) {
    fail(
      `context.${DESTROY_ON_REMOVAL_CONTEXT_KEY} is true but ${path}.allowDestroyOnRemoval is not: the "${environmentName}" lake must be retained. Drop -c ${DESTROY_ON_REMOVAL_CONTEXT_KEY}=true, or set allowDestroyOnRemoval: true for an environment whose data may be lost`,
    );
  }
  const retentionRefused = topicRetentionProblem(
    Duration.hours(config.streaming.retentionHours),
    Duration.seconds(config.ingestion.maxRecordAgeSeconds),
  );
  if (retentionRefused !== undefined) {
    fail(
      `${path}.streaming.retentionHours is ${config.streaming.retentionHours} with ${path}.ingestion.maxRecordAgeSeconds ${config.ingestion.maxRecordAgeSeconds}: ${retentionRefused}`,
    );
  }
  return config;
}

function readStreaming(raw: unknown, path: string, maxAzs: number): StreamingConfig {
  const streaming = raw === undefined ? {} : requireRecord(raw, path);
  const { mode, ...topic } = STREAMING(streaming, path);
  const readCopies = (fallback: number, rule: Rule<number>) =>
    whole(fallback, rule)(streaming.replicationFactor, `${path}.replicationFactor`);
  if (mode === 'serverless') {
    if (streaming.provisioned !== undefined) {
      fail(
        `${path}.provisioned is set but ${path}.mode is "serverless": remove it, or set mode to "provisioned"`,
      );
    }
    const copies = SERVERLESS_REPLICATION_FACTOR;
    const replicationFactor = readCopies(copies, (count) =>
      count === copies
        ? undefined
        : `MSK Serverless always replicates ${copies} times; remove the key or set it to ${copies}`,
    );
    return { mode, ...topic, replicationFactor };
  }
  const provisioned = PROVISIONED_BROKERS(streaming.provisioned, `${path}.provisioned`);
  const brokers = provisioned.brokersPerAz * maxAzs;
  const replicationFactor = readCopies(Math.min(EVENTS_TOPIC_DEFAULTS.replicationFactor, brokers), (count) =>
    count >= 1 && count <= brokers
      ? undefined
      : `use 1 up to the broker count, ${brokers} (provisioned.brokersPerAz ${provisioned.brokersPerAz} x network.maxAzs ${maxAzs})`,
  );
  return { mode, provisioned, ...topic, replicationFactor };
}

function readProducer(raw: unknown, path: string): ProducerConfig {
  const producer = PRODUCER(raw, path);
  const memoryMiB = whole(defaultMemoryMiB(producer.cpu))(
    isRecord(raw) ? raw.memoryMiB : undefined,
    `${path}.memoryMiB`,
  );
  const offered = fargateMemoryProblem(producer.cpu, memoryMiB);
  if (offered !== undefined) {
    fail(
      `${path}.memoryMiB is ${memoryMiB}, which Fargate does not offer with cpu ${producer.cpu}: use ${offered}`,
    );
  }
  return { ...producer, memoryMiB };
}

function readLoading(raw: unknown, path: string): LoadingConfig {
  if (isRecord(raw) && raw.scheduleMinute !== undefined) {
    const minute = JSON.stringify(raw.scheduleMinute);
    fail(
      `${path}.scheduleMinute is no longer read: write ${path}.schedule = {"everyMinutes": 60, "minute": ${minute}}`,
    );
  }
  return LOADING(raw, path);
}

/** A `-c key=value` flag arrives as a string; cdk.json gives a boolean. Both are accepted. */
function readDestroyFlag(value: unknown): boolean {
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  return refuse(`context.${DESTROY_ON_REMOVAL_CONTEXT_KEY}`, value, 'use true or false');
}
