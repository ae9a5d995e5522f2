import { describe, expect, test } from 'vitest';
import { parsePort } from '../../local/services/endpoints.js';
import { kafkaServerProperties, newKafkaClusterId } from '../../local/services/kafka-broker.js';
import { javaMajorVersion } from '../../local/services/kafka-install.js';
import { formatServiceStatus } from '../../local/services/local-stack.js';

function parseProperties(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const separator = line.indexOf('=');
        return [line.slice(0, separator), line.slice(separator + 1)] as const;
      }),
  );
}

describe('kafkaServerProperties', () => {
  test('GIVEN ports and a data folder WHEN rendered THEN one combined broker+controller listens on loopback only', () => {
    // Act
    const properties = parseProperties(
      kafkaServerProperties({ port: 19092, controllerPort: 19093, dataDir: '/tmp/kafka data' }),
    );

    // Assess
    expect(properties.get('process.roles')).toBe('broker,controller');
    expect(properties.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(properties.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(properties.get('log.dirs')).toBe('/tmp/kafka data');
    expect([...properties.values()].join(' ')).not.toMatch(/0\.0\.0\.0|localhost/);
  });

  test('GIVEN one node WHEN rendered THEN internal topics need one replica and topics are never auto-created', () => {
    // Act
    const properties = parseProperties(
      kafkaServerProperties({ port: 9092, controllerPort: 9093, dataDir: '/d' }),
    );

    // Assess
    expect(properties.get('offsets.topic.replication.factor')).toBe('1');
    expect(properties.get('transaction.state.log.replication.factor')).toBe('1');
    expect(properties.get('transaction.state.log.min.isr')).toBe('1');
    expect(properties.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(properties.get('auto.create.topics.enable')).toBe('false');
  });
});

describe('newKafkaClusterId', () => {
  test('makes 22-character base64url ids (16 bytes) that never begin with "-", different each time', () => {
    // Act
    const ids = Array.from({ length: 500 }, () => newKafkaClusterId());

    // Assess
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('javaMajorVersion', () => {
  test.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "11.0.2" 2019-01-15', 11],
  ])('reads %s as Java %i', (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });

  test('answers undefined for output without a quoted version', () => {
    expect(javaMajorVersion('Error: could not find libjava.so')).toBeUndefined();
  });
});

describe('parsePort', () => {
  test('accepts whole numbers from 1 to 65535', () => {
    expect(parsePort('9092', '--kafka-port')).toBe(9092);
    expect(parsePort('1', '--kafka-port')).toBe(1);
    expect(parsePort('65535', '--kafka-port')).toBe(65_535);
  });

  test.each([
    '0',
    '65536',
    '90.5',
    'abc',
    '',
    '-1',
    '9092x',
  ])('rejects "%s", naming where it came from', (text) => {
    expect(() => parsePort(text, 'SPOTIFY_PIPELINE_S3_PORT')).toThrow(
      new RegExp(`^SPOTIFY_PIPELINE_S3_PORT is "${text}": a port is a whole number from 1 to 65535$`),
    );
  });
});

describe('formatServiceStatus', () => {
  test('prints name, endpoint and state separated by single spaces, and nothing more when stopped', () => {
    expect(formatServiceStatus({ name: 'kafka', endpoint: '127.0.0.1:9092', state: 'running' })).toBe(
      'kafka 127.0.0.1:9092 running',
    );
    expect(formatServiceStatus({ name: 's3', endpoint: 'http://127.0.0.1:4566', state: 'stopped' })).toBe(
      's3 http://127.0.0.1:4566 stopped',
    );
  });

  test('adds who serves a running or unresponsive service: native, compose or other', () => {
    expect(
      formatServiceStatus({
        name: 'kafka',
        endpoint: '127.0.0.1:9092',
        state: 'running',
        servedBy: 'compose',
      }),
    ).toBe('kafka 127.0.0.1:9092 running compose');
    expect(
      formatServiceStatus({
        name: 's3',
        endpoint: 'http://127.0.0.1:4566',
        state: 'unresponsive',
        servedBy: 'native',
      }),
    ).toBe('s3 http://127.0.0.1:4566 unresponsive native');
  });
});
