import type { ContractProblem } from '../shared/event-contract/validate-listening-event.js';
import {
  describeProblems,
  parseListeningEventJson,
} from '../shared/event-contract/validate-listening-event.js';
import {
  BRONZE_PREFIX,
  hourPartitionPrefix,
  type LakeArea,
  QUARANTINE_PREFIX,
} from '../shared/lake/lake-layout.js';
import type { MskEvent, MskRecord } from './msk-event.js';

/** One Kafka record's place in a planned object: its offset and the line it contributes, if any. */
export interface PlannedEntry {
  readonly offset: number;
  /** The NDJSON line; null for a repeat of an event already in this batch (kept for its offset). */
  readonly line: string | null;
  /** For a repeat: the record whose line holds the event. */
  readonly repeatOf?: { readonly partition: number; readonly offset: number };
}

/** The records of one topic partition that belong in one hour folder of one lake area, in offset order. */
export interface PlannedLakeObject {
  readonly area: LakeArea;
  readonly hourPrefix: string;
  readonly topic: string;
  readonly partition: number;
  readonly entries: readonly PlannedEntry[];
}

export interface LakeWritePlan {
  readonly objects: readonly PlannedLakeObject[];
  readonly recordsIn: number;
  readonly valid: number;
  readonly quarantined: number;
  /** Records repeating an event (same id, same content) earlier in the batch: written once. */
  readonly repeatedInBatch: number;
}

/** What a quarantine line holds: the record exactly as received, where it came from, and why. */
export interface QuarantinedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** When Kafka stamped the record, ISO-8601 UTC. */
  readonly kafka_timestamp: string;
  /** Base64 of the key and value exactly as delivered; null when the record had none. */
  readonly key_base64: string | null;
  readonly value_base64: string | null;
  readonly problems: readonly ContractProblem[];
  /** The problems in one line, for people reading the quarantine. */
  readonly reason: string;
}

/**
 * Decides, without any I/O, what a batch from the MSK event source becomes in the lake: each
 * record is decoded and validated; valid events go to the bronze hour of their event time (UTC),
 * everything else to quarantine with the raw bytes and every reason. Nothing is dropped: an event
 * repeated within the batch (same id and content) is written once, and one that reuses an id for
 * different content is quarantined.
 */
export function planLakeWrites(event: MskEvent): LakeWritePlan {
  const groups = new Map<string, { object: PlannedLakeObject; entries: PlannedEntry[] }>();
  const firstSeen = new Map<
    string,
    { line: string; partition: number; offset: number; topicPartition: string }
  >();
  let recordsIn = 0;
  let valid = 0;
  let quarantined = 0;
  let repeatedInBatch = 0;

  const place = (
    area: LakeArea,
    atMs: number,
    record: MskRecord,
    line: string | null,
    repeatOf?: PlannedEntry['repeatOf'],
  ) => {
    const hourPrefix = hourPartitionPrefix(area, atMs);
    const groupKey = `${hourPrefix}\u0000${record.topic}\u0000${record.partition}`;
    let group = groups.get(groupKey);
    if (group === undefined) {
      const entries: PlannedEntry[] = [];
      group = {
        object: { area, hourPrefix, topic: record.topic, partition: record.partition, entries },
        entries,
      };
      groups.set(groupKey, group);
    }
    group.entries.push({ offset: record.offset, line, ...(repeatOf === undefined ? {} : { repeatOf }) });
  };
  const quarantine = (record: MskRecord, problems: readonly ContractProblem[]) => {
    quarantined++;
    place(QUARANTINE_PREFIX, record.timestamp, record, JSON.stringify(quarantinedRecord(record, problems)));
  };

  for (const records of Object.values(event.records)) {
    for (const record of records) {
      recordsIn++;
      const decoded = decodeValue(record);
      if (typeof decoded !== 'string') {
        quarantine(record, [decoded]);
        continue;
      }
      const result = parseListeningEventJson(decoded);
      if (!result.ok) {
        quarantine(record, result.problems);
        continue;
      }
      const line = JSON.stringify(result.event);
      const topicPartition = `${record.topic}-${record.partition}`;
      const earlier = firstSeen.get(result.event.event_id);
      if (earlier !== undefined && earlier.line !== line) {
        quarantine(record, [
          {
            field: 'event_id',
            value: JSON.stringify(result.event.event_id),
            reason: `is already used in this batch by a different event (${earlier.topicPartition} offset ${earlier.offset})`,
          },
        ]);
        continue;
      }
      valid++;
      const eventMs = Date.parse(result.event.timestamp);
      if (earlier !== undefined) {
        repeatedInBatch++;
        place(BRONZE_PREFIX, eventMs, record, null, { partition: earlier.partition, offset: earlier.offset });
        continue;
      }
      firstSeen.set(result.event.event_id, {
        line,
        partition: record.partition,
        offset: record.offset,
        topicPartition,
      });
      place(BRONZE_PREFIX, eventMs, record, line);
    }
  }

  const objects = [...groups.values()].map(({ object, entries }) => {
    entries.sort((a, b) => a.offset - b.offset);
    return object;
  });
  return { objects, recordsIn, valid, quarantined, repeatedInBatch };
}

/** The record's value as UTF-8 text, or the problem that stops it being read as an event. */
function decodeValue(record: MskRecord): string | ContractProblem {
  if (record.value === undefined || record.value === null) {
    return {
      field: '(record)',
      value: null,
      reason: 'has no value (a null value, or tombstone): nothing to read',
    };
  }
  const bytes = Buffer.from(record.value, 'base64');
  const text = bytes.toString('utf8');
  // A replacement character that was not in the bytes means they were not valid UTF-8.
  if (text.includes('\uFFFD') && !bytes.includes(Buffer.from('\uFFFD', 'utf8'))) {
    return { field: '(record)', value: null, reason: 'is not valid UTF-8 text: events are UTF-8 JSON' };
  }
  return text;
}

function quarantinedRecord(record: MskRecord, problems: readonly ContractProblem[]): QuarantinedRecord {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    kafka_timestamp: new Date(record.timestamp).toISOString(),
    key_base64: record.key ?? null,
    value_base64: record.value ?? null,
    problems,
    reason: describeProblems(problems),
  };
}
