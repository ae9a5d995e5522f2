import { type App, Duration, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { PipelineConfig } from '../config/pipeline-config.js';
import { IngestionStack } from '../stacks/ingestion-stack.js';
import { NetworkStack } from '../stacks/network-stack.js';
import { StatefulStack } from '../stacks/stateful-stack.js';
import { WarehouseStack } from '../stacks/warehouse-stack.js';
import type { ClusterCapacity } from '../streaming/event-stream-cluster-props.js';

/** The stacks of one environment. */
export interface PipelineStacks {
  readonly network: NetworkStack;
  readonly stateful: StatefulStack;
  readonly ingestion: IngestionStack;
  readonly warehouse: WarehouseStack;
}

/** `SpotifyPipeline-<environment>-<part>`: every stack name says which environment it belongs to. */
export function stackName(config: PipelineConfig, part: string): string {
  return `SpotifyPipeline-${config.environmentName}-${part}`;
}

/**
 * Adds the pipeline's stacks for one environment to `app` and runs the cdk-nag AwsSolutions pack
 * over all of them at synth (an unacknowledged finding fails the synth). `bin/app.ts` and the
 * tests both build the app through this function, so they check the same thing.
 *
 * Stacks are environment-agnostic on purpose: synth must work offline, with no AWS credentials.
 */
export function buildPipelineApp(app: App, config: PipelineConfig): PipelineStacks {
  const network = new NetworkStack(app, stackName(config, 'Network'), {
    description: `Spotify streaming pipeline (${config.environmentName}): VPC, endpoints, flow logs.`,
    network: {
      maxAzs: config.network.maxAzs,
      natGateways: config.network.natGateways,
      flowLogRetention: config.logRetention,
    },
  });
  const stateful = new StatefulStack(app, stackName(config, 'Stateful'), {
    description: `Spotify streaming pipeline (${config.environmentName}): Kafka cluster and topic, data lake.`,
    vpc: network.network.vpc,
    workloadSubnets: network.network.workloadSubnets,
    eventStream: {
      capacity: clusterCapacityOf(config),
      topicName: config.streaming.topicName,
      partitionCount: config.streaming.partitionCount,
      replicationFactor: config.streaming.replicationFactor,
      retention: Duration.hours(config.streaming.retentionHours),
    },
    lake: config.lake,
    snowflakeStorageIntegration: config.loading.snowflakeStorageIntegration,
    logRetention: config.logRetention,
    destroyOnRemoval: config.destroyOnRemoval,
  });
  const ingestion = new IngestionStack(app, stackName(config, 'Ingestion'), {
    description: `Spotify streaming pipeline (${config.environmentName}): Fargate producer, lake consumer function, their dashboard and alarms.`,
    vpc: network.network.vpc,
    workloadSubnets: network.network.workloadSubnets,
    eventStream: stateful.eventStream,
    lake: stateful.lake,
    producer: config.producer,
    ingestion: config.ingestion,
    observability: config.observability,
    logRetention: config.logRetention,
  });
  const warehouse = new WarehouseStack(app, stackName(config, 'Warehouse'), {
    description: `Spotify streaming pipeline (${config.environmentName}): the hourly pipeline run (load into Snowflake, then transform) and its lease, their dashboard and alarms.`,
    lake: stateful.lake,
    snowflakeCredentials: stateful.snowflake.credentials,
    alarmTopic: ingestion.monitoring.alarmTopic,
    loading: config.loading,
    transformation: config.transformation,
    observability: config.observability,
    logRetention: config.logRetention,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { network, stateful, ingestion, warehouse };
}

function clusterCapacityOf(config: PipelineConfig): ClusterCapacity {
  const { mode, provisioned } = config.streaming;
  if (mode === 'serverless') return { mode };
  if (provisioned === undefined) {
    throw new Error(`streaming.provisioned is missing for the provisioned ${config.environmentName} cluster`);
  }
  return { mode, brokers: provisioned };
}
