import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';

/**
 * How to reach the brokers: plaintext for a local broker (Kafka, Redpanda), or TLS with SASL
 * OAUTHBEARER and IAM for Amazon MSK, the token signed from the default AWS credential chain
 * (the task role on Fargate).
 */
export type KafkaAuth =
  | { readonly kind: 'plaintext' }
  | { readonly kind: 'msk-iam'; readonly region: string };

export interface KafkaConnectionOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly auth: KafkaAuth;
  /**
   * kafkajs's own log lines (JSON on stdout). It logs errors it then retries, such as a coordinator
   * still loading, so the command line keeps it quiet and reports what finally fails.
   * @default logLevel.ERROR
   */
  readonly logLevel?: logLevel;
}

export function connectKafka(options: KafkaConnectionOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: options.logLevel ?? logLevel.ERROR,
  };
  if (options.auth.kind === 'msk-iam') {
    const { region } = options.auth;
    config.ssl = true;
    config.sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
    };
  }
  return new Kafka(config);
}

/** `host:port[,host:port...]` into a broker list, with a message that says what is wrong. */
export function parseBrokerList(text: string): string[] {
  const brokers = text
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  const bad = brokers.filter((broker) => !/^[A-Za-z0-9.[\]:_-]+:\d{1,5}$/.test(broker));
  if (brokers.length === 0 || bad.length > 0) {
    throw new Error(
      `brokers "${text}" must be host:port, comma-separated${bad.length > 0 ? ` (not: ${bad.join(', ')})` : ''}`,
    );
  }
  return brokers;
}
