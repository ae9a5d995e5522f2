import type { InterfaceVpcEndpointAwsService } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** Properties of {@link PipelineNetwork}. */
export interface PipelineNetworkProps {
  /**
   * IPv4 range of the VPC.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Availability zones to spread the subnets over: 2 or 3, as MSK spreads a provisioned cluster's
   * brokers. An environment-agnostic stack resolves at most 2 zones whatever this says.
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * NAT gateways. With 0 the VPC has only private isolated subnets and no internet gateway: every
   * AWS API is reached through a VPC endpoint. With more, public subnets hold only the NAT gateways
   * (no ingress is ever opened to them) and the private subnets get an egress route.
   * @default 0 - no route to the internet at all
   */
  readonly natGateways?: number;
  /**
   * How long the VPC flow logs are kept in CloudWatch Logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: RetentionDays;
  /**
   * Interface endpoints to add on top of the ones the pipeline always needs (Secrets Manager,
   * CloudWatch Logs, STS, ECR API, ECR Docker, Lambda).
   * @default - none
   * @see https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html
   */
  readonly additionalInterfaceEndpoints?: readonly InterfaceVpcEndpointAwsService[];
}
