import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  type ISecurityGroup,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { MSK_MINIMUM_ZONES } from '../streaming/event-stream-cluster.js';
import type { PipelineNetworkProps } from './pipeline-network-props.js';

/** The network when the props do not say otherwise: two zones, and no route to the internet. */
export const PIPELINE_NETWORK_DEFAULTS = {
  maxAzs: 2,
  natGateways: 0,
} as const satisfies Required<Pick<PipelineNetworkProps, 'maxAzs' | 'natGateways'>>;

/** MSK puts a provisioned cluster's brokers in 2 or 3 availability zones, one client subnet in each. */
const MSK_MAXIMUM_ZONES = 3;

/** What to use instead of `maxAzs`, or `undefined` when MSK can spread its brokers over that many zones. */
export function zoneCountProblem(maxAzs: number): string | undefined {
  return Number.isInteger(maxAzs) && maxAzs >= MSK_MINIMUM_ZONES && maxAzs <= MSK_MAXIMUM_ZONES
    ? undefined
    : `use ${MSK_MINIMUM_ZONES} or ${MSK_MAXIMUM_ZONES} (MSK needs at least ${MSK_MINIMUM_ZONES} zones, and spreads a provisioned cluster's brokers over at most ${MSK_MAXIMUM_ZONES})`;
}

/** What to use instead of `natGateways` in a VPC over `maxAzs` zones, or `undefined` when it fits. */
export function natGatewaysProblem(natGateways: number, maxAzs: number): string | undefined {
  return Number.isInteger(natGateways) && natGateways >= 0 && natGateways <= maxAzs
    ? undefined
    : `use 0 (isolated, endpoints only) up to maxAzs (${maxAzs}, one per zone)`;
}

/**
 * Interface endpoints every function and task of the pipeline needs when it has no route to the
 * internet. Keyed by the construct id each endpoint gets.
 */
const REQUIRED_INTERFACE_ENDPOINTS: ReadonlyArray<readonly [string, InterfaceVpcEndpointAwsService]> = [
  // Snowflake credentials and other secrets.
  ['SecretsManager', InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
  // Lambda and Fargate logs (awslogs driver, Lambda's own logging).
  ['CloudWatchLogs', InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
  // MSK IAM auth signs its SASL token with credentials from STS; the Lambda MSK poller also calls it.
  ['Sts', InterfaceVpcEndpointAwsService.STS],
  // Fargate pulls the producer image: the ECR API for the manifest, ECR Docker for the layers
  // (the layers themselves come from S3 through the gateway endpoint).
  ['EcrApi', InterfaceVpcEndpointAwsService.ECR],
  ['EcrDocker', InterfaceVpcEndpointAwsService.ECR_DOCKER],
  // The Lambda MSK event source mapping in private subnets with no NAT reaches Lambda through it.
  ['Lambda', InterfaceVpcEndpointAwsService.LAMBDA],
];

/**
 * The pipeline's VPC: private subnets only for workloads, an S3 gateway endpoint, the interface
 * endpoints the functions and tasks need, flow logs, and no inbound path from the internet.
 */
export class PipelineNetwork extends Construct {
  /** The VPC. */
  readonly vpc: IVpc;
  /** The subnets where the cluster, functions and tasks run (isolated, or private with NAT egress). */
  readonly workloadSubnets: SubnetSelection;
  /** The security group of the interface endpoints (HTTPS from the VPC's CIDR). */
  readonly endpointSecurityGroup: ISecurityGroup;

  constructor(scope: Construct, id: string, props: PipelineNetworkProps = {}) {
    super(scope, id);
    const maxAzs = props.maxAzs ?? PIPELINE_NETWORK_DEFAULTS.maxAzs;
    const natGateways = props.natGateways ?? PIPELINE_NETWORK_DEFAULTS.natGateways;
    const zonesRefused = zoneCountProblem(maxAzs);
    if (zonesRefused !== undefined) {
      throw new Error(`PipelineNetwork ${this.node.path}: maxAzs is ${maxAzs}; ${zonesRefused}`);
    }
    const natRefused = natGatewaysProblem(natGateways, maxAzs);
    if (natRefused !== undefined) {
      throw new Error(`PipelineNetwork ${this.node.path}: natGateways is ${natGateways}; ${natRefused}`);
    }
    const withEgress = natGateways > 0;
    const workloadSubnetType = withEgress ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED;

    const flowLogGroup = new LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? RetentionDays.ONE_MONTH,
    });

    const cidr = props.cidr ?? '10.0.0.0/16';
    const vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(cidr),
      maxAzs,
      natGateways,
      // Public subnets exist only to hold NAT gateways; without NAT there is no internet gateway.
      subnetConfiguration: [
        ...(withEgress ? [{ name: 'Public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }] : []),
        { name: 'Workload', subnetType: workloadSubnetType, cidrMask: 20 },
      ],
      createInternetGateway: withEgress,
      // The default security group would allow all traffic between its members; nothing should use it.
      restrictDefaultSecurityGroup: true,
      gatewayEndpoints: {
        // Free, and keeps the lake traffic (and ECR image layers) off any NAT gateway.
        S3: { service: GatewayVpcEndpointAwsService.S3 },
      },
      flowLogs: {
        All: {
          destination: FlowLogDestination.toCloudWatchLogs(flowLogGroup),
          trafficType: FlowLogTrafficType.ALL,
        },
      },
    });
    this.vpc = vpc;
    this.workloadSubnets = { subnetType: workloadSubnetType, onePerAz: true };

    const endpoints = [
      ...REQUIRED_INTERFACE_ENDPOINTS,
      ...(props.additionalInterfaceEndpoints ?? []).map(
        (service) => [`Extra${service.shortName.replace(/[^A-Za-z0-9]/g, '')}`, service] as const,
      ),
    ];
    // One security group for all interface endpoints: HTTPS from inside the VPC only. The callers
    // are Lambda functions and Fargate tasks whose security groups are created in later stacks, so
    // the rule names the VPC's CIDR (a literal, so cdk-nag can check it is not 0.0.0.0/0).
    const endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'VPC interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(Peer.ipv4(cidr), Port.tcp(443), 'HTTPS to AWS APIs from the VPC');
    this.endpointSecurityGroup = endpointSecurityGroup;
    for (const [endpointId, service] of endpoints) {
      vpc.addInterfaceEndpoint(endpointId, {
        service,
        subnets: this.workloadSubnets,
        privateDnsEnabled: true,
        securityGroups: [endpointSecurityGroup],
        open: false,
      });
    }
  }
}
