import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { BootstrapBrokersLookupProps } from './bootstrap-brokers-lookup-props.js';

/** The construct id aws-cdk-lib gives the AwsCustomResource provider function (fixed in its source). */
const AWS_CUSTOM_RESOURCE_SINGLETON_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * Reads the cluster's SASL/IAM bootstrap broker string (`host:9098,host:9098,...`) at deploy time.
 *
 * CloudFormation gives no attribute for an MSK cluster's bootstrap brokers, so a custom resource
 * calls `kafka:GetBootstrapBrokers` (allowed on this cluster's ARN only) and hands the string on
 * as a token. The alternative, letting the producer resolve the brokers from the cluster ARN at
 * start, would add the Kafka control-plane SDK and a call to the runtime code for something that
 * is known once per deployment; this keeps the producer's settings plain environment variables,
 * the same on AWS and locally. The lookup runs again whenever the cluster ARN changes; after
 * adding brokers to the same cluster the old string still works (any one broker bootstraps the
 * client), and redeploying with a changed lookup refreshes it.
 * @see https://docs.aws.amazon.com/msk/1.0/apireference/clusters-clusterarn-bootstrap-brokers.html
 */
export class BootstrapBrokersLookup extends Construct {
  /** The comma-separated `host:port` list for SASL/IAM over TLS (port 9098). */
  readonly saslIamBrokers: string;
  /** The custom resource that makes the call (and the singleton function behind it). */
  readonly resource: AwsCustomResource;

  constructor(scope: Construct, id: string, props: BootstrapBrokersLookupProps) {
    super(scope, id);
    const clusterArn = props.eventStream.clusterArn;
    const call = {
      service: 'Kafka',
      action: 'getBootstrapBrokers',
      parameters: { ClusterArn: clusterArn },
      physicalResourceId: PhysicalResourceId.of(clusterArn),
      // Only this field is returned to CloudFormation (and so kept within its 4 KB limit).
      outputPaths: ['BootstrapBrokerStringSaslIam'],
    };
    this.resource = new AwsCustomResource(this, 'GetBootstrapBrokers', {
      onCreate: call,
      onUpdate: call,
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({
          actions: ['kafka:GetBootstrapBrokers'],
          resources: [props.eventStream.clusterArn],
        }),
      ]),
      // The SDK bundled with the Lambda runtime has this call; installing the latest would need
      // the provider function to reach the npm registry at deploy time.
      installLatestAwsSdk: false,
    });
    this.saslIamBrokers = this.resource.getResponseField('BootstrapBrokerStringSaslIam');

    // AwsCustomResource runs on one singleton function per stack, created at the stack's root.
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_SINGLETON_ID);
    const providerRole = provider?.node.tryFindChild('ServiceRole');
    if (providerRole !== undefined) {
      Validations.of(providerRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "The role of aws-cdk-lib's AwsCustomResource provider function: the AWS-managed basic execution policy only lets it write its own logs; its API permission (kafka:GetBootstrapBrokers on the cluster) is an inline statement.",
      });
    }
  }
}
