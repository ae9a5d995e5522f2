import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildPipelineFor } from '../../support/pipeline-app.js';

/** Logical IDs of the resources of one type in a template. */
function logicalIdsOf(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type)).sort();
}

const PINNED_CLUSTER_NAMES: Record<string, string> = {
  dev: 'SpotifyPipelinedevStatefulEventStreamB5143A7F',
  prod: 'SpotifyPipelineprodStatefulEventStream2E59948B',
};

describe.each(['dev', 'prod'])('the %s stacks', (environmentName) => {
  const { stacks } = buildPipelineFor(environmentName);
  const stateful = Template.fromStack(stacks.stateful);
  const network = Template.fromStack(stacks.network);

  it('keep the logical IDs of the stateful resources (a change would replace them and lose data)', () => {
    // GIVEN the app as bin/app.ts builds it
    // WHEN the stacks are synthesized
    // THEN the IDs CloudFormation knows these resources by have not moved. If this fails after a
    // refactoring, restore the construct ids (or pin the old ID with overrideLogicalId) rather than
    // updating the expectation: a new logical ID means a new cluster or bucket, and the old one
    // retained or deleted.
    expect(logicalIdsOf(stateful, 'AWS::MSK::Cluster')).toEqual(['EventStreamClusterF7A39A39']);
    // The cluster name is generated from the construct path; changing it also replaces the cluster.
    stateful.hasResourceProperties('AWS::MSK::Cluster', {
      ClusterName: PINNED_CLUSTER_NAMES[environmentName],
    });
    expect(logicalIdsOf(stateful, 'AWS::MSK::Topic')).toEqual(['EventStreamEventsTopic6475FC2F']);
    expect(logicalIdsOf(stateful, 'AWS::S3::Bucket')).toEqual([
      'LakeAccessLogs4431AB8D',
      'LakeBucketB1D32E10',
    ]);
    // Snowflake's setup names the secret's login and the role's ARN: replacing either breaks it.
    expect(logicalIdsOf(stateful, 'AWS::SecretsManager::Secret')).toEqual(['SnowflakeCredentials1AABC40E']);
    expect(logicalIdsOf(stateful, 'AWS::IAM::Role')).toContain('SnowflakeLakeReaderRole43EE7CD9');
    expect(logicalIdsOf(network, 'AWS::EC2::VPC')).toEqual(['NetworkVpc7FB7348F']);
    expect(logicalIdsOf(network, 'AWS::EC2::Subnet')).toEqual(
      expect.arrayContaining([
        'NetworkVpcWorkloadSubnet1Subnet6CA2CA3C',
        'NetworkVpcWorkloadSubnet2Subnet70D6BC21',
      ]),
    );
  });

  it('retain the cluster, topic and buckets and protect the stateful stack from deletion', () => {
    expect(stacks.stateful.terminationProtection).toBe(true);
    for (const type of [
      'AWS::MSK::Cluster',
      'AWS::MSK::Topic',
      'AWS::S3::Bucket',
      'AWS::SecretsManager::Secret',
    ]) {
      stateful.allResources(type, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  it('name every stack after the environment', () => {
    expect(stacks.network.stackName).toBe(`SpotifyPipeline-${environmentName}-Network`);
    expect(stacks.stateful.stackName).toBe(`SpotifyPipeline-${environmentName}-Stateful`);
  });

  it('place the cluster in the network stack VPC, passed as a construct', () => {
    expect(stacks.stateful.dependencies).toContain(stacks.network);
    const clusterSecurityGroups = stateful.findResources('AWS::EC2::SecurityGroup');
    expect(Object.keys(clusterSecurityGroups).length).toBe(2);
    for (const group of Object.values(clusterSecurityGroups)) {
      // The VPC id is read from the network stack's outputs, not written in as a string.
      expect(JSON.stringify(group.Properties.VpcId)).toContain(`SpotifyPipeline-${environmentName}-Network`);
    }
  });
});

describe('the stateful stack with -c destroyOnRemoval=true', () => {
  it('deletes the lake and cluster with the stack and drops termination protection', () => {
    // GIVEN dev, which allows it, and the explicit flag
    const { stacks } = buildPipelineFor('dev', { destroyOnRemoval: 'true' });

    // WHEN
    const stateful = Template.fromStack(stacks.stateful);

    // THEN
    expect(stacks.stateful.terminationProtection).toBe(false);
    stateful.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    stateful.hasResource('AWS::MSK::Cluster', { DeletionPolicy: 'Delete' });
  });
});

describe('the dev cluster', () => {
  it('is a small provisioned cluster, so that its topic is created at deploy time too', () => {
    const { stacks } = buildPipelineFor('dev');
    const stateful = Template.fromStack(stacks.stateful);
    stateful.hasResourceProperties('AWS::MSK::Cluster', {
      NumberOfBrokerNodes: 2,
      BrokerNodeGroupInfo: { InstanceType: 'kafka.t3.small' },
    });
    stateful.hasResourceProperties('AWS::MSK::Topic', { PartitionCount: 6, ReplicationFactor: 2 });
  });
});

describe('the prod cluster', () => {
  it('is provisioned with the brokers from cdk.json and the configured partitions', () => {
    const { stacks } = buildPipelineFor('prod');
    const stateful = Template.fromStack(stacks.stateful);
    stateful.hasResourceProperties('AWS::MSK::Cluster', {
      NumberOfBrokerNodes: 4,
      BrokerNodeGroupInfo: { InstanceType: 'kafka.m7g.large' },
    });
    stateful.hasResourceProperties('AWS::MSK::Topic', {
      TopicName: 'spotify-events',
      PartitionCount: 12,
      ReplicationFactor: 3,
    });
  });
});
