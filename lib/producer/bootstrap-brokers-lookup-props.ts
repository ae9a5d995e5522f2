import type { EventStreamCluster } from '../streaming/event-stream-cluster.js';

/** Properties of {@link BootstrapBrokersLookup}. */
export interface BootstrapBrokersLookupProps {
  /** The cluster whose SASL/IAM bootstrap brokers to read. */
  readonly eventStream: EventStreamCluster;
}
