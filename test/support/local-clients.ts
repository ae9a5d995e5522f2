import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import { localS3Credentials } from '../../local/services/endpoints.js';

/** A name no other test (or earlier run) has used: topics, buckets and consumer groups are never shared. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 13)}`;
}

/** A kafkajs client for the broker the global setup provides. */
export function localKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [inject('kafkaBrokers')], logLevel: logLevel.WARN });
}

/**
 * An S3 client for the local S3 server: path-style addressing (no per-bucket DNS names on
 * 127.0.0.1) and the local credentials, which moto, LocalStack and the compose file's MinIO accept.
 */
export function localS3(): S3Client {
  return new S3Client({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: localS3Credentials,
  });
}
