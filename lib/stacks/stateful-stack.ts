import { CfnOutput, type Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LakeStorage } from '../lake/lake-storage.js';
import type { LakeStorageProps } from '../lake/lake-storage-props.js';
import { EventStreamCluster } from '../streaming/event-stream-cluster.js';
import type { ClusterCapacity } from '../streaming/event-stream-cluster-props.js';
import { SnowflakeAccess } from '../warehouse/snowflake-access.js';
import type { SnowflakeStorageIntegration } from '../warehouse/snowflake-access-props.js';

/** The events topic and the capacity of the cluster that holds it. */
export interface EventStreamSettings {
  /** Serverless or provisioned capacity. */
  readonly capacity: ClusterCapacity;
  /** Name of the events topic. */
  readonly topicName: string;
  /** Partitions of the events topic. */
  readonly partitionCount: number;
  /** Copies of each partition. */
  readonly replicationFactor: number;
  /** How long the topic keeps each record. */
  readonly retention: Duration;
}

/** Properties of {@link StatefulStack}. */
export interface StatefulStackProps extends StackProps {
  /** The VPC the cluster lives in. */
  readonly vpc: IVpc;
  /**
   * Subnets for the cluster's brokers.
   * @default - the VPC's private subnets, one per availability zone
   */
  readonly workloadSubnets?: SubnetSelection;
  /** The Kafka cluster and events topic. */
  readonly eventStream: EventStreamSettings;
  /**
   * Lifecycle of the lake's objects.
   * @default - the defaults of {@link LakeStorageProps}
   */
  readonly lake?: Omit<LakeStorageProps, 'destroyOnRemoval'>;
  /**
   * Snowflake's storage integration, once it exists.
   * @default - nobody may assume the lake-reader role
   */
  readonly snowflakeStorageIntegration?: SnowflakeStorageIntegration;
  /** Retention of the stack's log groups (MSK broker logs). */
  readonly logRetention: RetentionDays;
  /**
   * Delete the lake, the cluster and the topic with the stack, and leave termination protection
   * off. Throw-away environments only.
   * @default false - everything stateful is retained and the stack is termination-protected
   */
  readonly destroyOnRemoval?: boolean;
}

/**
 * The resources that hold data or that another system holds on to (the Kafka cluster with its
 * topic, the lake, and the Snowflake secret and lake-reader role, whose ARNs Snowflake's setup
 * names), apart from the stateless ones so that redeploying code can never replace them.
 */
export class StatefulStack extends Stack {
  readonly eventStream: EventStreamCluster;
  readonly lake: LakeStorage;
  readonly snowflake: SnowflakeAccess;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    const {
      vpc,
      workloadSubnets,
      eventStream,
      lake,
      snowflakeStorageIntegration,
      logRetention,
      destroyOnRemoval = false,
      ...stackProps
    } = props;
    super(scope, id, { terminationProtection: !destroyOnRemoval, ...stackProps });
    this.eventStream = new EventStreamCluster(this, 'EventStream', {
      vpc,
      vpcSubnets: workloadSubnets,
      capacity: eventStream.capacity,
      topicName: eventStream.topicName,
      partitionCount: eventStream.partitionCount,
      replicationFactor: eventStream.replicationFactor,
      retention: eventStream.retention,
      brokerLogRetention: logRetention,
      removalPolicy: destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    this.lake = new LakeStorage(this, 'Lake', { ...lake, destroyOnRemoval });
    this.snowflake = new SnowflakeAccess(this, 'Snowflake', {
      lake: this.lake,
      storageIntegration: snowflakeStorageIntegration,
      removalPolicy: destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    new CfnOutput(this, 'SnowflakeSecretArn', {
      description: 'Store the Snowflake login here: {account, user, private_key, warehouse, database, role}',
      value: this.snowflake.credentials.secretArn,
    });
    new CfnOutput(this, 'SnowflakeLakeReaderRoleArn', {
      description: "STORAGE_AWS_ROLE_ARN of Snowflake's storage integration (sql/snowflake/setup)",
      value: this.snowflake.lakeReaderRole.roleArn,
    });
    new CfnOutput(this, 'LakeBucketName', {
      description:
        "The lake bucket: the storage integration's STORAGE_ALLOWED_LOCATIONS is s3://<it>/bronze/",
      value: this.lake.bucket.bucketName,
    });
  }
}
