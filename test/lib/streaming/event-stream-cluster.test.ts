import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { EventStreamCluster } from '../../../lib/streaming/event-stream-cluster.js';
import type {
  EventStreamClusterProps,
  ProvisionedBrokers,
} from '../../../lib/streaming/event-stream-cluster-props.js';
import { appWithProjectFlags } from '../../support/pipeline-app.js';

const BROKERS: ProvisionedBrokers = {
  instanceType: 'kafka.m7g.large',
  brokersPerAz: 2,
  ebsVolumeGiB: 250,
  kafkaVersion: '3.8.x',
};

interface ClusterUnderTest {
  readonly stack: Stack;
  readonly cluster: EventStreamCluster;
}

type PropsUnderTest = Partial<Omit<EventStreamClusterProps, 'vpc'>>;

/** A cluster in a two-zone isolated VPC; provisioned with {@link BROKERS} unless `capacity` says otherwise. */
function clusterUnderTest(props: PropsUnderTest = {}): ClusterUnderTest {
  const stack = new Stack(appWithProjectFlags(), 'StreamingUnderTest');
  const vpc = new Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Workload', subnetType: SubnetType.PRIVATE_ISOLATED }],
  });
  const cluster = new EventStreamCluster(stack, 'EventStream', {
    vpc,
    capacity: { mode: 'provisioned', brokers: BROKERS },
    ...props,
  });
  return { stack, cluster };
}

describe('EventStreamCluster', () => {
  describe('serverless', () => {
    const { stack, cluster } = clusterUnderTest({ capacity: { mode: 'serverless' } });
    const template = Template.fromStack(stack);

    it('creates a serverless cluster with IAM client authentication in two subnets', () => {
      template.resourceCountIs('AWS::MSK::Cluster', 0);
      template.hasResourceProperties('AWS::MSK::ServerlessCluster', {
        ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
        VpcConfigs: [
          {
            SubnetIds: [Match.anyValue(), Match.anyValue()],
            SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterSecurityGroup'), 'GroupId'] }],
          },
        ],
      });
    });

    it('retains the cluster by default', () => {
      template.hasResource('AWS::MSK::ServerlessCluster', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    it('does not create the topic (MSK topic API is provisioned-only) and says so', () => {
      template.resourceCountIs('AWS::MSK::Topic', 0);
      expect(cluster.topicCreatedAtDeploy).toBe(false);
      Annotations.fromStack(stack).hasWarning(
        '/StreamingUnderTest/EventStream',
        Match.stringLikeRegexp(
          'create "spotify-events" with 6 partitions and retention.ms 604800000 using a Kafka admin client',
        ),
      );
    });

    it('lets only the client security group reach the brokers, on 9098', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        IpProtocol: 'tcp',
        FromPort: 9098,
        ToPort: 9098,
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterSecurityGroup'), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClientSecurityGroup'), 'GroupId'] },
      });
      // The second rule is the cluster group admitting itself (the Lambda MSK pollers).
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 2);
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('^MSK brokers'),
        SecurityGroupIngress: Match.absent(),
      });
    });

    it('opens no ingress from anywhere on the internet', () => {
      const ingress = template.findResources('AWS::EC2::SecurityGroupIngress');
      for (const rule of Object.values(ingress)) {
        expect(rule.Properties.CidrIp).toBeUndefined();
        expect(rule.Properties.SourceSecurityGroupId).toBeDefined();
      }
    });
  });

  describe('provisioned', () => {
    const { stack } = clusterUnderTest({
      capacity: { mode: 'provisioned', brokers: BROKERS },
      partitionCount: 12,
      replicationFactor: 3,
      brokerLogRetention: RetentionDays.ONE_WEEK,
    });
    const template = Template.fromStack(stack);

    it('sizes the brokers from the capacity and spreads them over the subnets', () => {
      template.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
      template.hasResourceProperties('AWS::MSK::Cluster', {
        KafkaVersion: '3.8.x',
        NumberOfBrokerNodes: 4,
        BrokerNodeGroupInfo: {
          InstanceType: 'kafka.m7g.large',
          ClientSubnets: [Match.anyValue(), Match.anyValue()],
          StorageInfo: { EBSStorageInfo: { VolumeSize: 250 } },
          ConnectivityInfo: { PublicAccess: { Type: 'DISABLED' } },
        },
      });
    });

    it('requires IAM authentication and refuses unauthenticated clients', () => {
      template.hasResourceProperties('AWS::MSK::Cluster', {
        ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      });
    });

    it('encrypts client-broker and broker-broker traffic with TLS only', () => {
      template.hasResourceProperties('AWS::MSK::Cluster', {
        EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      });
    });

    it('ships broker logs to a log group with the given retention', () => {
      template.hasResourceProperties('AWS::MSK::Cluster', {
        LoggingInfo: {
          BrokerLogs: {
            CloudWatchLogs: { Enabled: true, LogGroup: { Ref: Match.stringLikeRegexp('BrokerLogs') } },
          },
        },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    });

    it('creates the events topic on the cluster at deploy time with the configured partitions', () => {
      template.resourceCountIs('AWS::MSK::Topic', 1);
      template.hasResourceProperties('AWS::MSK::Topic', {
        ClusterArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventStreamCluster'), 'Arn'] },
        TopicName: 'spotify-events',
        PartitionCount: 12,
        ReplicationFactor: 3,
      });
    });

    it('creates the topic with min.insync.replicas 2 (three copies) and a retention of seven days by default', () => {
      const [topic] = Object.values(template.findResources('AWS::MSK::Topic'));
      const configs = topic!.Properties.Configs as { 'Fn::Base64': string };
      expect(JSON.parse(configs['Fn::Base64'])).toEqual({
        'min.insync.replicas': '2',
        'retention.ms': String(7 * 24 * 3_600_000),
      });
    });

    it('retains the cluster, the topic and the broker logs by default', () => {
      for (const type of ['AWS::MSK::Cluster', 'AWS::MSK::Topic', 'AWS::Logs::LogGroup']) {
        template.hasResource(type, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    });

    it('lets the Lambda MSK event source pollers, which carry the cluster group, reach the brokers and the endpoints', () => {
      const clusterGroup = { 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterSecurityGroup'), 'GroupId'] };
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        IpProtocol: 'tcp',
        FromPort: 9098,
        ToPort: 9098,
        GroupId: clusterGroup,
        SourceSecurityGroupId: clusterGroup,
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        FromPort: 9098,
        GroupId: clusterGroup,
        DestinationSecurityGroupId: clusterGroup,
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('^MSK brokers'),
        SecurityGroupEgress: Match.arrayWith([
          Match.objectLike({
            FromPort: 443,
            ToPort: 443,
            CidrIp: { 'Fn::GetAtt': [Match.anyValue(), 'CidrBlock'] },
          }),
        ]),
      });
    });

    it('opens no ingress from anywhere on the internet', () => {
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 2);
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 9098,
        CidrIp: Match.absent(),
        SourceSecurityGroupId: Match.anyValue(),
      });
    });
  });

  it('deletes the cluster and topic with the stack when asked to', () => {
    const { stack } = clusterUnderTest({ removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::MSK::Cluster', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::MSK::Topic', { DeletionPolicy: 'Delete' });
  });

  describe('grants', () => {
    function grantTemplate(
      grant: (cluster: EventStreamCluster, role: Role) => void,
      props: PropsUnderTest = {},
    ): Template {
      const { stack, cluster } = clusterUnderTest(props);
      const role = new Role(stack, 'ClientRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      grant(cluster, role);
      return Template.fromStack(stack);
    }
    const clusterArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('EventStreamCluster'), 'Arn'] };
    const topicArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('EventsTopic'), 'TopicArn'] };

    it('grantProduce allows connecting to the cluster and writing to the topic only', () => {
      // GIVEN / WHEN
      const template = grantTemplate((cluster, role) => cluster.grantProduce(role));

      // THEN
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: [
                'kafka-cluster:Connect',
                'kafka-cluster:DescribeCluster',
                'kafka-cluster:WriteDataIdempotently',
              ],
              Resource: clusterArn,
            },
            {
              Effect: 'Allow',
              Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
              Resource: topicArn,
            },
          ],
        },
      });
    });

    it('grantConsume allows reading the topic and using one consumer group', () => {
      // GIVEN / WHEN
      const template = grantTemplate((cluster, role) => cluster.grantConsume(role, 'lake-writer'));

      // THEN
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
              Resource: clusterArn,
            },
            {
              Effect: 'Allow',
              Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
              Resource: topicArn,
            },
            {
              Effect: 'Allow',
              Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
              Resource: {
                'Fn::Join': [
                  '',
                  Match.arrayWith([
                    Match.stringLikeRegexp(':group/StreamingUnderTestEventStream[A-Za-z0-9]+/$'),
                    Match.stringLikeRegexp('^/lake-writer$'),
                  ]),
                ],
              },
            },
          ],
        },
      });
      // and it can never write
      expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('WriteData');
    });

    it('grantProduce on a serverless cluster names the topic ARN from the cluster name and UUID', () => {
      const template = grantTemplate((cluster, role) => cluster.grantProduce(role), {
        capacity: { mode: 'serverless' },
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
              Resource: {
                'Fn::Join': [
                  '',
                  Match.arrayWith([
                    Match.stringLikeRegexp(':topic/StreamingUnderTestEventStream[A-Za-z0-9]+/$'),
                    Match.stringLikeRegexp('^/spotify-events$'),
                  ]),
                ],
              },
            },
          ]),
        },
      });
    });

    it('grantConsume rejects a consumer group that would break the group ARN', () => {
      const { stack, cluster } = clusterUnderTest();
      const role = new Role(stack, 'ClientRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      expect(() => cluster.grantConsume(role, 'group/*')).toThrow(/consumer group "group\/\*" must use only/);
    });

    it('grantConsume rejects a consumer group longer than Lambda’s MSK event source takes', () => {
      const { stack, cluster } = clusterUnderTest();
      const role = new Role(stack, 'ClientRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      expect(() => cluster.grantConsume(role, 'g'.repeat(201))).toThrow(/1 to 200 of them/);
    });
  });

  it.each([
    [3, 2],
    [2, 1],
    [1, 1],
  ])('with %i copies, a write waits for %i of them by default, so that a broker being patched does not stop writes below three', (copies, inSync) => {
    const { stack, cluster } = clusterUnderTest({ replicationFactor: copies });
    expect(cluster.minInSyncReplicas).toBe(inSync);
    const [topic] = Object.values(Template.fromStack(stack).findResources('AWS::MSK::Topic'));
    expect(JSON.parse(topic!.Properties.Configs['Fn::Base64'])['min.insync.replicas']).toBe(String(inSync));
  });

  it('keeps records for the retention and waits for the in-sync copies it is given', () => {
    const { stack } = clusterUnderTest({ retention: Duration.days(3), minInSyncReplicas: 3 });
    const [topic] = Object.values(Template.fromStack(stack).findResources('AWS::MSK::Topic'));
    expect(JSON.parse(topic!.Properties.Configs['Fn::Base64'])).toEqual({
      'min.insync.replicas': '3',
      'retention.ms': String(3 * 24 * 3_600_000),
    });
  });

  describe('rejects invalid props', () => {
    it.each([
      [{ partitionCount: 0 }, /partitionCount is 0; use a whole number of at least 1/],
      [{ topicName: 'has space' }, /topicName "has space" must be 1 to 249/],
      [
        { capacity: { mode: 'serverless' }, replicationFactor: 2 },
        /replicationFactor is 2, but MSK Serverless always uses 3/,
      ],
      [
        { capacity: { mode: 'provisioned', brokers: { ...BROKERS, kafkaVersion: '3.5.1' } } },
        /kafkaVersion is "3\.5\.1"; the events topic is created through MSK's topic API, which needs Kafka 3\.6\.0 or later/,
      ],
      [
        { capacity: { mode: 'provisioned', brokers: { ...BROKERS, brokersPerAz: 1 } }, replicationFactor: 3 },
        /replicationFactor is 3 but the cluster has only 2 brokers \(1 per zone x 2 zones\)/,
      ],
      [
        { capacity: { mode: 'provisioned', brokers: { ...BROKERS, ebsVolumeGiB: 0 } } },
        /ebsVolumeGiB is 0; use 1 to 16384/,
      ],
      [
        { replicationFactor: 3, minInSyncReplicas: 4 },
        /minInSyncReplicas is 4; use 1 to 3 \(the replication factor\): a write cannot wait for more copies than there are/,
      ],
      [{ retention: Duration.minutes(90) }, /retention is 5400 s; use a whole number of hours, at least 1/],
    ] as const)('%j', (props, message) => {
      expect(() => clusterUnderTest(props as PropsUnderTest)).toThrow(message);
    });

    it('a single subnet', () => {
      const stack = new Stack(appWithProjectFlags(), 'StreamingUnderTest');
      const vpc = new Vpc(stack, 'Vpc', {
        maxAzs: 1,
        natGateways: 0,
        subnetConfiguration: [{ name: 'Workload', subnetType: SubnetType.PRIVATE_ISOLATED }],
      });
      expect(
        () => new EventStreamCluster(stack, 'EventStream', { vpc, capacity: { mode: 'serverless' } }),
      ).toThrow(/the selected subnets span 1 availability zone\(s\); MSK needs at least 2/);
    });
  });
});
