import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PipelineNetwork } from '../network/pipeline-network.js';
import type { PipelineNetworkProps } from '../network/pipeline-network-props.js';

/** Properties of {@link NetworkStack}. */
export interface NetworkStackProps extends StackProps {
  /**
   * Shape of the VPC.
   * @default - two availability zones, isolated subnets, no NAT
   */
  readonly network?: PipelineNetworkProps;
}

/**
 * The VPC, on its own so that both the stateful and the stateless stacks can be deployed into it
 * and neither owns it.
 */
export class NetworkStack extends Stack {
  readonly network: PipelineNetwork;

  constructor(scope: Construct, id: string, props: NetworkStackProps = {}) {
    super(scope, id, props);
    this.network = new PipelineNetwork(this, 'Network', props.network);
  }
}
