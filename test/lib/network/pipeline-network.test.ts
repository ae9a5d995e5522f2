import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { InterfaceVpcEndpointAwsService } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { PipelineNetwork } from '../../../lib/network/pipeline-network.js';
import type { PipelineNetworkProps } from '../../../lib/network/pipeline-network-props.js';
import { appWithProjectFlags } from '../../support/pipeline-app.js';

function networkTemplate(props: PipelineNetworkProps = {}): Template {
  const stack = new Stack(appWithProjectFlags(), 'NetworkUnderTest');
  new PipelineNetwork(stack, 'Network', props);
  return Template.fromStack(stack);
}

/** The service name of an interface endpoint as CDK renders it in an environment-agnostic stack. */
function interfaceServiceName(shortName: string): Match | Record<string, unknown> {
  return {
    'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${shortName}`]],
  };
}

describe('PipelineNetwork', () => {
  describe('with no NAT gateway (the default)', () => {
    const template = networkTemplate();

    it('has only private isolated subnets and no internet gateway or NAT', () => {
      // GIVEN / WHEN the default network
      // THEN no subnet maps public IPs and nothing routes to the internet
      template.resourceCountIs('AWS::EC2::InternetGateway', 0);
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.resourceCountIs('AWS::EC2::Subnet', 2);
      template.allResourcesProperties('AWS::EC2::Subnet', {
        MapPublicIpOnLaunch: false,
        Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Isolated' }]),
      });
      template.resourcePropertiesCountIs('AWS::EC2::Route', { DestinationCidrBlock: '0.0.0.0/0' }, 0);
    });

    it('adds an S3 gateway endpoint attached to the private route tables', () => {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])],
        }),
        RouteTableIds: Match.arrayWith([Match.objectLike({ Ref: Match.anyValue() })]),
      });
    });

    const requiredEndpointServices = ['secretsmanager', 'logs', 'sts', 'ecr.api', 'ecr.dkr', 'lambda'];
    it.each(requiredEndpointServices)('adds an interface endpoint for %s with private DNS', (shortName) => {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: interfaceServiceName(shortName),
        PrivateDnsEnabled: true,
        SecurityGroupIds: [
          Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSecurityGroup'), 'GroupId'] }),
        ],
      });
    });

    it('lets only the VPC reach the endpoints, on HTTPS', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'VPC interface endpoints: HTTPS from inside the VPC only',
        SecurityGroupIngress: [
          {
            CidrIp: '10.0.0.0/16',
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            Description: Match.anyValue(),
          },
        ],
      });
    });

    it('opens no security group to the internet', () => {
      // THEN no ingress rule anywhere names 0.0.0.0/0 or ::/0
      const groups = template.findResources('AWS::EC2::SecurityGroup');
      const ingressRules = Object.values(groups).flatMap(
        (group) => (group.Properties?.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? [],
      );
      expect(ingressRules.length).toBeGreaterThan(0);
      for (const rule of ingressRules) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
        expect(rule.CidrIpv6).not.toBe('::/0');
      }
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    });

    it('restricts the default security group', () => {
      template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    });

    it('sends all flow logs to a log group with bounded retention', () => {
      template.hasResourceProperties('AWS::EC2::FlowLog', {
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });
  });

  describe('with NAT gateways', () => {
    it('gives the workload subnets egress through NAT and keeps public subnets for NAT only', () => {
      // GIVEN / WHEN
      const template = networkTemplate({ natGateways: 1, flowLogRetention: RetentionDays.ONE_WEEK });

      // THEN
      template.resourceCountIs('AWS::EC2::NatGateway', 1);
      template.resourceCountIs('AWS::EC2::InternetGateway', 1);
      template.hasResourceProperties('AWS::EC2::Route', {
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: Match.anyValue(),
      });
      template.hasResourceProperties('AWS::EC2::Subnet', {
        Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Private' }]),
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    });
  });

  it('adds extra interface endpoints on request', () => {
    const template = networkTemplate({
      additionalInterfaceEndpoints: [InterfaceVpcEndpointAwsService.SQS],
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: interfaceServiceName('sqs') });
  });

  it.each([
    [{ maxAzs: 1 }, /maxAzs is 1; use 2 or 3 \(MSK needs at least 2 zones/],
    [{ maxAzs: 4 }, /maxAzs is 4; use 2 or 3 /],
    [{ natGateways: 3 }, /natGateways is 3; use 0 .* up to maxAzs \(2/],
  ])('rejects %j', (props, message) => {
    // GIVEN
    const stack = new Stack(appWithProjectFlags(), 'NetworkUnderTest');

    // WHEN / THEN
    expect(() => new PipelineNetwork(stack, 'Network', props)).toThrow(message);
  });
});
