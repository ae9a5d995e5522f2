import { randomUUID } from 'node:crypto';
import type { Batch, Consumer, Kafka, KafkaMessage } from 'kafkajs';

/** How long a read may go without Kafka returning anything before it is given up. */
const STALL_MS = 30_000;

/** Offsets of one partition that Kafka deleted (its retention, or a deleteRecords) while they were being read. */
export class OffsetsDeletedWhileReadingError extends Error {
  override readonly name = 'OffsetsDeletedWhileReadingError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly firstOffset: number,
    readonly earliestOffset: number,
  ) {
    super(
      `${topic} partition ${partition}: offsets ${firstOffset} to ${earliestOffset - 1} were deleted from the topic while they were being read`,
    );
  }
}

interface PendingRead {
  readonly topic: string;
  readonly partition: number;
  readonly first: number;
  readonly last: number;
  readonly messages: Map<number, KafkaMessage>;
  started: boolean;
  lastProgressMs: number;
  readonly resolve: (messages: KafkaMessage[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Reads exactly the records of given offset ranges, one range per partition at a time, and nothing
 * else: every partition stays paused until a read asks for it, is sought to the range's first
 * offset, and is paused again once the range's last offset is reached.
 *
 * kafkajs reads through a consumer group only, so the reader joins a group of its own, named for
 * this run (`spotify-pipeline-replay-<uuid>`), and never commits an offset: the pipeline's own
 * consumer group is not touched, and the throw-away group leaves no offsets behind.
 */
export class KafkaRangeReader {
  private readonly pending = new Map<string, PendingRead>();
  private crashed: unknown;
  private watchdog: NodeJS.Timeout | undefined;

  private constructor(private readonly consumer: Consumer) {}

  static async open(kafka: Kafka, topics: readonly string[]): Promise<KafkaRangeReader> {
    const consumer = kafka.consumer({
      groupId: `spotify-pipeline-replay-${randomUUID()}`,
      maxWaitTimeInMs: 250,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      allowAutoTopicCreation: false,
    });
    const reader = new KafkaRangeReader(consumer);
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      consumer.on(consumer.events.CRASH, (event) => {
        if (event.payload.restart) return;
        reader.crashed = event.payload.error;
        reader.failAll(event.payload.error);
      });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, isStale }) => reader.take(batch, isStale()),
      });
      if (reader.crashed !== undefined) throw reader.crashed;
      consumer.pause(topics.map((topic) => ({ topic })));
      reader.watchdog = setInterval(() => reader.giveUpStalledReads(), 1_000);
    } catch (error) {
      await consumer.disconnect();
      throw error;
    }
    return reader;
  }

  /**
   * The records of one partition from `first` to `last` (inclusive) that Kafka holds, in offset
   * order. `last` must not be past the partition's last offset: the read would wait for records
   * that do not exist until it is given up.
   */
  read(topic: string, partition: number, first: number, last: number): Promise<KafkaMessage[]> {
    if (this.crashed !== undefined) return Promise.reject(this.crashed);
    const id = partitionId(topic, partition);
    if (this.pending.has(id)) return Promise.reject(new Error(`${id} is already being read`));
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        topic,
        partition,
        first,
        last,
        messages: new Map(),
        started: false,
        lastProgressMs: Date.now(),
        resolve,
        reject,
      });
      this.consumer.seek({ topic, partition, offset: String(first) });
      this.consumer.resume([{ topic, partitions: [partition] }]);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    this.failAll(new Error('the Kafka reader was closed'));
    await this.consumer.disconnect();
  }

  private take(batch: Batch, stale: boolean): void {
    const read = this.pending.get(partitionId(batch.topic, batch.partition));
    if (read === undefined) {
      // Fetched before it was paused, or while no read wanted it.
      this.consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
      return;
    }
    // A batch fetched before the seek: the next fetch starts where the read asked.
    if (stale) return;
    if (!read.started) {
      read.started = true;
      // A fetch below the earliest offset is answered from the earliest one (fromBeginning). The
      // offset a batch was fetched from is kafkajs's own (src/consumer/batch.js), left out of its types.
      const fetched = Number((batch as Batch & { fetchedOffset?: string }).fetchedOffset ?? read.first);
      if (fetched > read.first) {
        this.finish(
          read,
          new OffsetsDeletedWhileReadingError(read.topic, read.partition, read.first, fetched),
        );
        return;
      }
    }
    read.lastProgressMs = Date.now();
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset >= read.first && offset <= read.last) read.messages.set(offset, message);
    }
    const reached = Number(batch.lastOffset());
    // The end of the partition counts too: records after `reached` up to `last` would be control
    // records (transaction markers), which a consumer never sees.
    if (reached >= read.last || reached >= Number(batch.highWatermark) - 1) this.finish(read);
  }

  private finish(read: PendingRead, error?: unknown): void {
    this.pending.delete(partitionId(read.topic, read.partition));
    this.consumer.pause([{ topic: read.topic, partitions: [read.partition] }]);
    if (error !== undefined) read.reject(error);
    else read.resolve([...read.messages.values()].sort((a, b) => Number(a.offset) - Number(b.offset)));
  }

  private giveUpStalledReads(): void {
    const now = Date.now();
    for (const read of [...this.pending.values()]) {
      if (now - read.lastProgressMs < STALL_MS) continue;
      const from = read.messages.size === 0 ? read.first : Math.max(...read.messages.keys()) + 1;
      this.finish(
        read,
        new Error(
          `Kafka returned nothing of ${read.topic} partition ${read.partition} from offset ${from} in ${STALL_MS / 1000} s`,
        ),
      );
    }
  }

  private failAll(error: unknown): void {
    for (const read of [...this.pending.values()]) this.finish(read, error);
  }
}

function partitionId(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
