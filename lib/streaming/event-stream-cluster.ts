import { Annotations, Duration, Fn, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type ISecurityGroup, Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnCluster, CfnServerlessCluster, CfnTopic } from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';
import {
  DEFAULT_EVENTS_TOPIC,
  DEFAULT_PARTITION_COUNT,
  DEFAULT_TOPIC_RETENTION_HOURS,
} from '../../lambdas/shared/kafka/pipeline-topic.js';
import { outsideRange, type WholeNumberRange } from '../app/whole-number-range.js';
import type {
  ClusterCapacity,
  EventStreamClusterProps,
  ProvisionedBrokers,
} from './event-stream-cluster-props.js';

/** The port MSK listens on for SASL/IAM clients over TLS. */
export const MSK_IAM_TLS_PORT = 9098;
/** MSK spreads a cluster's brokers over at least this many availability zones. */
export const MSK_MINIMUM_ZONES = 2;
/** The events topic when the props do not say otherwise. */
export const EVENTS_TOPIC_DEFAULTS = {
  topicName: DEFAULT_EVENTS_TOPIC,
  partitionCount: DEFAULT_PARTITION_COUNT,
  replicationFactor: 3,
  retention: Duration.hours(DEFAULT_TOPIC_RETENTION_HOURS),
} as const;
/**
 * The least time a record stays in the topic after the event source gives up on it (its maximum
 * record age): a day to be alerted and to replay it from the topic with `spotify-pipeline
 * replay-failed`.
 */
export const MINIMUM_REPLAY_WINDOW = Duration.days(1);

/**
 * `min.insync.replicas` for `replicationFactor` copies when the props do not say: 2 with 3 or more
 * copies, so that an acknowledged write survives the loss of a broker; with fewer copies, one less
 * than the copies, so that a broker being patched does not stop writes.
 */
export function defaultMinInSyncReplicas(replicationFactor: number): number {
  return replicationFactor >= 3 ? 2 : Math.max(1, replicationFactor - 1);
}

/**
 * What the topic's retention must be instead of `retention`, for an event source that gives up on
 * records older than `maxRecordAge`, or `undefined` when it outlasts that age by
 * {@link MINIMUM_REPLAY_WINDOW}. A shorter retention lets records expire while the event source is
 * still retrying them, which no metric counts, and leaves nothing in the topic to replay.
 */
export function topicRetentionProblem(retention: Duration, maxRecordAge: Duration): string | undefined {
  const leastHours = Math.ceil(maxRecordAge.toSeconds() / 3600) + MINIMUM_REPLAY_WINDOW.toHours();
  return retention.toSeconds() >= leastHours * 3600
    ? undefined
    : `use at least ${leastHours} hours: the event source's maximum record age (${maxRecordAge.toSeconds()} s) plus ${MINIMUM_REPLAY_WINDOW.toHours()} hours to replay what it gives up on from the topic`;
}
/** MSK Serverless keeps this many copies of every partition, whatever a topic asks for. */
export const SERVERLESS_REPLICATION_FACTOR = 3;
/** The sizes {@link EventStreamCluster} accepts. */
export const EVENT_STREAM_LIMITS = {
  partitionCount: { min: 1 },
  brokersPerAz: { min: 1 },
  ebsVolumeGiB: { min: 1, max: 16_384, unit: 'GiB per broker' },
} as const satisfies Record<string, WholeNumberRange>;
/** AWS::MSK::Topic drives MSK's topic API, which needs this Apache Kafka version or a later one. */
export const OLDEST_KAFKA_WITH_TOPIC_API = '3.6.0';

/** Whether MSK's topic API serves a cluster of `kafkaVersion` (as MSK names it: `3.8.x`, `3.6.0`). */
export function hasMskTopicApi(kafkaVersion: string): boolean {
  const majorMinor = (version: string) => (/^(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  const [major = 0, minor = 0] = majorMinor(kafkaVersion);
  const [oldestMajor = 0, oldestMinor = 0] = majorMinor(OLDEST_KAFKA_WITH_TOPIC_API);
  return major > oldestMajor || (major === oldestMajor && minor >= oldestMinor);
}

/** Kafka's rule for topic names: what `name` must be instead, or `undefined` when it follows it. */
export function topicNameProblem(name: string): string | undefined {
  return /^[a-zA-Z0-9._-]{1,249}$/.test(name)
    ? undefined
    : 'must be 1 to 249 letters, digits, ".", "_" or "-" (Kafka\'s rule for topic names)';
}

/** What a consumer group's name must be instead of `groupId`, or `undefined` when it may be granted. */
export function consumerGroupIdProblem(groupId: string): string | undefined {
  return /^[a-zA-Z0-9._-]{1,200}$/.test(groupId)
    ? undefined
    : 'must use only letters, digits, ".", "_" or "-", 1 to 200 of them (it becomes part of an IAM resource ARN, and Lambda\'s MSK event source takes at most 200)';
}

/**
 * The Kafka cluster (MSK, serverless or provisioned) with IAM client authentication and TLS in
 * transit, reachable on port 9098 only from {@link clientSecurityGroup}, and the events topic.
 *
 * On a provisioned cluster the topic is an `AWS::MSK::Topic`, created at deploy time. MSK's topic
 * API (which that resource type calls) does not serve MSK Serverless, so on a serverless cluster
 * the topic is not created here: the construct warns, and the grants still name the topic's ARN.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-create-topic.html
 */
export class EventStreamCluster extends Construct {
  /** The cluster's ARN. */
  readonly clusterArn: string;
  /** The cluster's name (generated, unique in the account). */
  readonly clusterName: string;
  /** The events topic's name. */
  readonly topicName: string;
  /** The events topic's ARN. */
  readonly topicArn: string;
  /** Whether the topic is created with the stack (provisioned clusters) or must be created by a Kafka client. */
  readonly topicCreatedAtDeploy: boolean;
  /** Attach this security group to a producer or consumer to let it reach the brokers. */
  readonly clientSecurityGroup: ISecurityGroup;
  /** The security group on the brokers' network interfaces. */
  readonly clusterSecurityGroup: ISecurityGroup;
  /** The partition count of the events topic. */
  readonly partitionCount: number;
  /** How many brokers a provisioned cluster has (MSK Serverless has none to count). */
  readonly brokerCount?: number;
  /** How long the events topic keeps each record. */
  readonly retention: Duration;
  /** Copies that must have a record before a write of it is acknowledged. */
  readonly minInSyncReplicas: number;

  /** The UUID MSK puts in the cluster ARN; topic and group ARNs are built from it. */
  private readonly clusterUuid: string;

  constructor(scope: Construct, id: string, props: EventStreamClusterProps) {
    super(scope, id);
    const capacity = props.capacity;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.topicName = props.topicName ?? EVENTS_TOPIC_DEFAULTS.topicName;
    this.partitionCount = props.partitionCount ?? EVENTS_TOPIC_DEFAULTS.partitionCount;
    const replicationFactor = props.replicationFactor ?? EVENTS_TOPIC_DEFAULTS.replicationFactor;
    this.retention = props.retention ?? EVENTS_TOPIC_DEFAULTS.retention;
    this.minInSyncReplicas = props.minInSyncReplicas ?? defaultMinInSyncReplicas(replicationFactor);
    this.validate(capacity, replicationFactor);

    // With no subnet type CDK picks private subnets with egress, else isolated ones: never public.
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? { onePerAz: true });
    if (subnets.subnetIds.length < MSK_MINIMUM_ZONES) {
      throw new Error(
        `EventStreamCluster ${this.node.path}: the selected subnets span ${subnets.subnetIds.length} availability zone(s); MSK needs at least ${MSK_MINIMUM_ZONES}`,
      );
    }
    if (capacity.mode === 'provisioned') {
      const brokerCount = capacity.brokers.brokersPerAz * subnets.subnetIds.length;
      this.brokerCount = brokerCount;
      if (replicationFactor > brokerCount) {
        throw new Error(
          `EventStreamCluster ${this.node.path}: replicationFactor is ${replicationFactor} but the cluster has only ${brokerCount} brokers (${capacity.brokers.brokersPerAz} per zone x ${subnets.subnetIds.length} zones); lower the replication factor or add brokers per zone`,
        );
      }
    }

    const clusterSecurityGroup = new SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: props.vpc,
      description: 'MSK brokers: Kafka over TLS with IAM auth, from the pipeline clients only',
      // Brokers never open connections of their own to anything in the VPC.
      allowAllOutbound: false,
    });
    const clientSecurityGroup = new SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: props.vpc,
      description: 'Kafka clients of the events cluster (producer tasks, consumer functions)',
      // Clients also call AWS APIs through the VPC endpoints (STS, Logs, Secrets Manager, S3).
      allowAllOutbound: true,
    });
    clusterSecurityGroup.addIngressRule(
      clientSecurityGroup,
      Port.tcp(MSK_IAM_TLS_PORT),
      'Kafka (SASL/IAM over TLS) from pipeline clients',
    );
    // Lambda's MSK event source polls from network interfaces it places in the cluster's own
    // subnets with the cluster's own security groups (an MSK event source takes no security group
    // of its own). So this group must let its members reach the brokers on 9098, and reach STS
    // and Lambda through the VPC's interface endpoints on 443.
    // @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html
    clusterSecurityGroup.addIngressRule(
      clusterSecurityGroup,
      Port.tcp(MSK_IAM_TLS_PORT),
      'Kafka from the Lambda MSK event source pollers, which carry this group',
    );
    clusterSecurityGroup.addEgressRule(
      clusterSecurityGroup,
      Port.tcp(MSK_IAM_TLS_PORT),
      'Lambda MSK event source pollers to the brokers',
    );
    clusterSecurityGroup.addEgressRule(
      Peer.ipv4(props.vpc.vpcCidrBlock),
      Port.tcp(443),
      'Lambda MSK event source pollers to the STS and Lambda interface endpoints',
    );
    this.clusterSecurityGroup = clusterSecurityGroup;
    this.clientSecurityGroup = clientSecurityGroup;

    // MSK requires a name; derive a unique, deterministic one instead of hard-coding it.
    this.clusterName = Names.uniqueResourceName(this, { maxLength: 64 });
    const cluster =
      capacity.mode === 'serverless'
        ? new CfnServerlessCluster(this, 'Cluster', {
            clusterName: this.clusterName,
            // Serverless clusters always encrypt in transit (TLS) and at rest; IAM is the only auth.
            clientAuthentication: { sasl: { iam: { enabled: true } } },
            vpcConfigs: [
              { subnetIds: subnets.subnetIds, securityGroups: [clusterSecurityGroup.securityGroupId] },
            ],
          })
        : this.createProvisionedCluster(
            capacity.brokers,
            subnets.subnetIds,
            clusterSecurityGroup,
            props.brokerLogRetention ?? RetentionDays.ONE_MONTH,
            removalPolicy,
          );
    cluster.applyRemovalPolicy(removalPolicy);
    this.clusterArn = cluster.attrArn;
    // arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>
    this.clusterUuid = Fn.select(2, Fn.split('/', this.clusterArn));

    this.topicCreatedAtDeploy = capacity.mode === 'provisioned';
    if (this.topicCreatedAtDeploy) {
      const topic = new CfnTopic(this, 'EventsTopic', {
        clusterArn: this.clusterArn,
        topicName: this.topicName,
        partitionCount: this.partitionCount,
        replicationFactor,
        configs: Fn.base64(JSON.stringify(this.topicConfigs())),
      });
      topic.applyRemovalPolicy(removalPolicy);
      this.topicArn = topic.attrTopicArn;
    } else {
      this.topicArn = Stack.of(this).formatArn({
        service: 'kafka',
        resource: 'topic',
        resourceName: `${this.clusterName}/${this.clusterUuid}/${this.topicName}`,
      });
      Annotations.of(this).addWarningV2(
        'spotify-pipeline:serverless-topic-not-created',
        `MSK Serverless cannot create topics through CloudFormation (AWS::MSK::Topic serves provisioned clusters only): create "${this.topicName}" with ${this.partitionCount} partitions and retention.ms ${this.retention.toMilliseconds()} using a Kafka admin client, or use a provisioned cluster.`,
      );
    }
  }

  /**
   * Lets the grantee connect and write to the events topic (including idempotent writes, which
   * Kafka clients 3.x enable by default).
   *
   * MSK IAM access control has no L2 grant in aws-cdk-lib, so the `kafka-cluster:` statements are
   * written here, each scoped to the cluster or topic ARN.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
   */
  grantProduce(grantee: IGrantable): Grant {
    return this.grantOnCluster(grantee, ['kafka-cluster:WriteDataIdempotently']).combine(
      Grant.addToPrincipal({
        grantee,
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resourceArns: [this.topicArn],
      }),
    );
  }

  /**
   * Lets the grantee read the events topic as a member of `consumerGroupId` and commit its offsets.
   *
   * MSK IAM access control has no L2 grant in aws-cdk-lib, so the `kafka-cluster:` statements are
   * written here, each scoped to the cluster, topic or group ARN.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
   */
  grantConsume(grantee: IGrantable, consumerGroupId: string): Grant {
    const groupRefused = consumerGroupIdProblem(consumerGroupId);
    if (groupRefused !== undefined) {
      throw new Error(
        `EventStreamCluster ${this.node.path}: consumer group "${consumerGroupId}" ${groupRefused}`,
      );
    }
    const groupArn = Stack.of(this).formatArn({
      service: 'kafka',
      resource: 'group',
      resourceName: `${this.clusterName}/${this.clusterUuid}/${consumerGroupId}`,
    });
    return this.grantOnCluster(grantee, [])
      .combine(
        Grant.addToPrincipal({
          grantee,
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          resourceArns: [this.topicArn],
        }),
      )
      .combine(
        Grant.addToPrincipal({
          grantee,
          actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
          resourceArns: [groupArn],
        }),
      );
  }

  /**
   * The topic's Kafka settings, as MSK's topic API takes them (a JSON object of string values,
   * Base64-encoded in the template).
   */
  topicConfigs(): Record<string, string> {
    return {
      'min.insync.replicas': String(this.minInSyncReplicas),
      'retention.ms': String(this.retention.toMilliseconds()),
    };
  }

  private grantOnCluster(grantee: IGrantable, extraActions: readonly string[]): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', ...extraActions],
      resourceArns: [this.clusterArn],
    });
  }

  private validate(capacity: ClusterCapacity, replicationFactor: number): void {
    const where = `EventStreamCluster ${this.node.path}`;
    const topicProblem = topicNameProblem(this.topicName);
    if (topicProblem !== undefined)
      throw new Error(`${where}: topicName "${this.topicName}" ${topicProblem}`);
    const sizes: [string, number, WholeNumberRange][] = [
      ['partitionCount', this.partitionCount, EVENT_STREAM_LIMITS.partitionCount],
    ];
    if (capacity.mode === 'provisioned') {
      sizes.push(
        ['brokersPerAz', capacity.brokers.brokersPerAz, EVENT_STREAM_LIMITS.brokersPerAz],
        ['ebsVolumeGiB', capacity.brokers.ebsVolumeGiB, EVENT_STREAM_LIMITS.ebsVolumeGiB],
      );
    }
    for (const [name, value, range] of sizes) {
      const problem = outsideRange(value, range);
      if (problem !== undefined) throw new Error(`${where}: ${name} is ${value}; ${problem}`);
    }
    const insyncRefused = outsideRange(this.minInSyncReplicas, { min: 1, max: replicationFactor });
    if (insyncRefused !== undefined) {
      throw new Error(
        `${where}: minInSyncReplicas is ${this.minInSyncReplicas}; ${insyncRefused} (the replication factor): a write cannot wait for more copies than there are`,
      );
    }
    if (this.retention.toSeconds() < 3600 || this.retention.toSeconds() % 3600 !== 0) {
      throw new Error(
        `${where}: retention is ${this.retention.toSeconds()} s; use a whole number of hours, at least 1`,
      );
    }
    if (capacity.mode === 'serverless' && replicationFactor !== SERVERLESS_REPLICATION_FACTOR) {
      throw new Error(
        `${where}: replicationFactor is ${replicationFactor}, but MSK Serverless always uses ${SERVERLESS_REPLICATION_FACTOR}`,
      );
    }
    if (capacity.mode === 'provisioned' && !hasMskTopicApi(capacity.brokers.kafkaVersion)) {
      throw new Error(
        `${where}: kafkaVersion is "${capacity.brokers.kafkaVersion}"; the events topic is created through MSK's topic API, which needs Kafka ${OLDEST_KAFKA_WITH_TOPIC_API} or later (e.g. 3.8.x)`,
      );
    }
  }

  private createProvisionedCluster(
    brokers: ProvisionedBrokers,
    subnetIds: string[],
    clusterSecurityGroup: ISecurityGroup,
    brokerLogRetention: RetentionDays,
    removalPolicy: RemovalPolicy,
  ): CfnCluster {
    const numberOfBrokerNodes = brokers.brokersPerAz * subnetIds.length;
    const brokerLogs = new LogGroup(this, 'BrokerLogs', { retention: brokerLogRetention, removalPolicy });
    const cluster = new CfnCluster(this, 'Cluster', {
      clusterName: this.clusterName,
      kafkaVersion: brokers.kafkaVersion,
      numberOfBrokerNodes,
      brokerNodeGroupInfo: {
        instanceType: brokers.instanceType,
        clientSubnets: subnetIds,
        securityGroups: [clusterSecurityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: brokers.ebsVolumeGiB } },
        connectivityInfo: { publicAccess: { type: 'DISABLED' } },
      },
      clientAuthentication: {
        sasl: { iam: { enabled: true } },
        unauthenticated: { enabled: false },
      },
      // At rest the brokers' volumes are encrypted with the MSK-managed key (MSK's default).
      encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
      loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } } },
    });
    return cluster;
  }
}
