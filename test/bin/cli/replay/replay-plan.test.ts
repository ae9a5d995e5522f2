import { describe, expect, it } from 'vitest';
import { eventToReplay, planReplay } from '../../../../bin/cli/replay/replay-plan.js';
import type { FailedBatchRecord } from '../../../../lambdas/consumer/failed-batch-record.js';
import { anMskEvent, anMskRecord } from '../../../support/msk-event-factory.js';

const TOPIC = 'spotify-events';

function aFailedBatch(
  ranges: readonly [partition: number, first: number, last: number][],
  payloadOffsets: readonly [partition: number, offset: number][] | null,
): FailedBatchRecord {
  return {
    condition: 'RetryAttemptsExhausted',
    failedAt: '2026-01-01T10:00:06.021Z',
    eventSourceArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/c/1',
    batchSize: 1,
    ranges: ranges.map(([partition, firstOffset, lastOffset]) => ({
      topic: TOPIC,
      partition,
      firstOffset,
      lastOffset,
    })),
    payload:
      payloadOffsets === null
        ? null
        : anMskEvent(
            payloadOffsets.map(([partition, offset]) => anMskRecord({ topic: TOPIC, partition, offset })),
          ),
  };
}

const marks = (entries: readonly [partition: number, low: number, high: number][]) =>
  new Map(entries.map(([partition, low, high]) => [`${TOPIC}-${partition}`, { low, high }]));

describe('planReplay', () => {
  it('GIVEN offsets the topic still holds THEN all of them are read from Kafka and none is lost', () => {
    const [plan] = planReplay(aFailedBatch([[0, 100, 119]], null), marks([[0, 0, 500]]));

    expect(plan).toMatchObject({
      fromKafka: { topic: TOPIC, partition: 0, firstOffset: 100, lastOffset: 119 },
      fromPayload: [],
      lost: [],
    });
  });

  it('GIVEN offsets partly deleted by retention and a payload THEN the deleted ones come from the payload, the rest from Kafka', () => {
    const record = aFailedBatch(
      [[0, 10, 19]],
      Array.from({ length: 10 }, (_, index) => [0, 10 + index] as [number, number]),
    );

    const [plan] = planReplay(record, marks([[0, 15, 40]]));

    expect(plan!.fromKafka).toEqual({ topic: TOPIC, partition: 0, firstOffset: 15, lastOffset: 19 });
    expect(plan!.fromPayload.map((item) => item.offset)).toEqual([10, 11, 12, 13, 14]);
    expect(plan!.lost).toEqual([]);
  });

  it('GIVEN offsets partly deleted by retention and no payload THEN the deleted ones are lost, with why, and the rest read from Kafka', () => {
    const [plan] = planReplay(aFailedBatch([[0, 10, 19]], null), marks([[0, 15, 40]]));

    expect(plan!.fromKafka).toEqual({ topic: TOPIC, partition: 0, firstOffset: 15, lastOffset: 19 });
    expect(plan!.lost).toEqual([
      {
        topic: TOPIC,
        partition: 0,
        firstOffset: 10,
        lastOffset: 14,
        reason:
          'deleted from the topic (its earliest offset is now 15), and the failure record holds no payload',
      },
    ]);
  });

  it('GIVEN offsets past the end of the partition or of a partition the brokers lack THEN they are lost, each with its reason', () => {
    const plans = planReplay(
      aFailedBatch(
        [
          [0, 30, 49],
          [7, 0, 4],
        ],
        null,
      ),
      marks([[0, 0, 40]]),
    );

    expect(plans[0]!.fromKafka).toMatchObject({ firstOffset: 30, lastOffset: 39 });
    expect(plans[0]!.lost).toEqual([
      expect.objectContaining({
        firstOffset: 40,
        lastOffset: 49,
        reason:
          'not in the topic, whose last offset is 39 (was the topic deleted and created again?), and the failure record holds no payload',
      }),
    ]);
    expect(plans[1]!.fromKafka).toBeNull();
    expect(plans[1]!.lost).toEqual([
      expect.objectContaining({
        partition: 7,
        firstOffset: 0,
        lastOffset: 4,
        reason: `the brokers have no partition 7 of ${TOPIC}, and the failure record holds no payload`,
      }),
    ]);
  });
});

describe('eventToReplay', () => {
  it('GIVEN records read from Kafka and taken from the payload THEN one event groups them by topic-partition in offset order', () => {
    const record = aFailedBatch(
      [
        [0, 10, 13],
        [1, 5, 5],
      ],
      [
        [0, 10],
        [0, 11],
        [0, 12],
        [0, 13],
        [1, 5],
      ],
    );
    const plans = planReplay(record, marks([[0, 12, 20]]));
    const fromKafka = [
      anMskEvent([13, 12].map((offset) => anMskRecord({ topic: TOPIC, partition: 0, offset }))),
    ];

    const event = eventToReplay(record, fromKafka, plans);

    expect(event.eventSource).toBe('aws:kafka');
    expect(Object.keys(event.records)).toEqual([`${TOPIC}-0`, `${TOPIC}-1`]);
    expect(event.records[`${TOPIC}-0`]!.map((item) => item.offset)).toEqual([10, 11, 12, 13]);
    expect(event.records[`${TOPIC}-1`]!.map((item) => item.offset)).toEqual([5]);
  });
});
