import { Option } from 'commander';
import { type Kafka, logLevel } from 'kafkajs';
import { connectKafka } from '../../lambdas/shared/kafka/kafka-connection.js';
import {
  DEFAULT_EVENTS_TOPIC,
  DEFAULT_LAKE_CONSUMER_GROUP,
} from '../../lambdas/shared/kafka/pipeline-topic.js';
import { parseBrokersFlag, parseBucketName } from './option-parsers.js';

/** Options several commands take, each with its flag, check and default written once. */

export function bucketOption(description: string): Option {
  return new Option('--bucket <name>', description).argParser(parseBucketName).makeOptionMandatory();
}

export function s3EndpointOption(): Option {
  return new Option('--s3-endpoint <url>', 'a local S3 server, e.g. http://127.0.0.1:4566 (default: AWS)');
}

export function brokersOption(description: string): Option {
  return new Option('--brokers <host:port>', description).makeOptionMandatory();
}

export function iamRegionOption(): Option {
  return new Option(
    '--iam-region <region>',
    'Amazon MSK with IAM auth in this region (TLS, SASL signed with your AWS credentials)',
  );
}

/** `--format`: how a command prints its result, `table` for people unless another is asked for. */
export function formatOption<Format extends string>(formats: readonly Format[]): Option {
  return new Option('--format <format>', 'output format').choices(formats).default('table');
}

export function topicOption(description: string): Option {
  return new Option('--topic <name>', description).default(DEFAULT_EVENTS_TOPIC);
}

export function consumerGroupOption(description: string): Option {
  return new Option('--group <id>', description).default(DEFAULT_LAKE_CONSUMER_GROUP);
}

/** What `--brokers` and `--iam-region` give a command. */
export interface KafkaFlags {
  brokers: string;
  iamRegion?: string;
}

/** What `--bucket` and `--s3-endpoint` give a command. */
export interface LakeFlags {
  bucket: string;
  s3Endpoint?: string;
}

/**
 * The Kafka the flags name: Amazon MSK with IAM auth when `--iam-region` is given, a plaintext
 * broker (the local one) when not. kafkajs's own log stays quiet: the commands report failures.
 */
export function kafkaFromFlags(flags: KafkaFlags, clientId: string): Kafka {
  return connectKafka({
    brokers: parseBrokersFlag(flags.brokers),
    clientId,
    auth:
      flags.iamRegion === undefined ? { kind: 'plaintext' } : { kind: 'msk-iam', region: flags.iamRegion },
    logLevel: logLevel.NOTHING,
  });
}
