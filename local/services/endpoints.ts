/** The local services listen on loopback only: nothing on the network can reach them. */
export const loopbackHost = '127.0.0.1';

/**
 * The ports the local stack uses unless told otherwise. They match what the Docker compose profile
 * publishes (Redpanda on 9092, LocalStack on 4566), so code and tests reach either stack at the same
 * endpoints.
 */
export const defaultLocalPorts = {
  kafka: 9092,
  kafkaController: 9093,
  s3: 4566,
} as const;

/**
 * The credentials every local S3 client of this project signs with. moto and LocalStack accept any
 * credentials; MinIO accepts only its root user's, and wants a user name of at least 3 characters and
 * a password of at least 8, so the compose file's MinIO root user is exactly this pair (a test keeps
 * the two equal). They open nothing but a throwaway server on loopback.
 */
export const localS3Credentials = {
  accessKeyId: 'spotify-local',
  secretAccessKey: 'spotify-local-secret',
} as const;

/** `host:port` of the local Kafka broker on `port`, as kafkajs and `--bootstrap-server` take it. */
export function kafkaBrokersForPort(port: number): string {
  return `${loopbackHost}:${port}`;
}

/** The endpoint URL of the local S3 server on `port`, for an S3 client with `forcePathStyle: true`. */
export function s3EndpointForPort(port: number): string {
  return `http://${loopbackHost}:${port}`;
}

/**
 * Reads a TCP port number from text (a command-line option or an environment variable).
 * @param source names where the text came from, for the error message (`--kafka-port`, `SPOTIFY_PIPELINE_S3_PORT`)
 * @throws RangeError when the text is not a whole number from 1 to 65535
 */
export function parsePort(text: string, source: string): number {
  const port = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(port >= 1 && port <= 65_535)) {
    throw new RangeError(`${source} is "${text}": a port is a whole number from 1 to 65535`);
  }
  return port;
}
