import { type PartitionerArgs, Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { retryStablePartitioner } from '../../../lambdas/producer/event-producer.js';

const partitionMetadata = Array.from({ length: 12 }, (_, partitionId) => ({
  partitionId,
  leader: 1,
  partitionErrorCode: 0,
  replicas: [1],
  isr: [1],
}));
const argsFor = (message: PartitionerArgs['message']): PartitionerArgs => ({
  topic: 'spotify-events',
  partitionMetadata,
  message,
});

describe('retryStablePartitioner', () => {
  it('GIVEN a line with no key WHEN partitioned again, as kafkajs does on every retry THEN it goes to the same partition each time', () => {
    const partition = retryStablePartitioner();
    const values = ['not json', '', '  spaced  ', '{"event_id":"x"}', 'bad 1', 'bad 2', 'bad 3'];
    const first = values.map((value) => partition(argsFor({ key: null, value })));
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(values.map((value) => partition(argsFor({ key: null, value })))).toEqual(first);
    }
    // A fresh partitioner (another producer, or a restarted one) agrees too.
    expect(values.map((value) => retryStablePartitioner()(argsFor({ key: null, value })))).toEqual(first);
  });

  it('GIVEN keyless lines WHEN partitioned THEN they spread over the partitions rather than pile onto one', () => {
    const partition = retryStablePartitioner();
    const used = new Set(
      Array.from({ length: 200 }, (_, i) => partition(argsFor({ key: null, value: `line ${i}` }))),
    );
    expect(used.size).toBe(12);
  });

  it('GIVEN a keyed line WHEN partitioned THEN it goes where the Java-compatible default partitioner puts it', () => {
    const partition = retryStablePartitioner();
    const javaCompatible = Partitioners.DefaultPartitioner();
    for (const key of ['user_1', 'user_2', 'user_999999']) {
      const message = { key, value: `{"user_id":"${key}"}` };
      expect(partition(argsFor(message))).toBe(javaCompatible(argsFor(message)));
    }
  });
});
