import { CompressionTypes, type ICustomPartitioner, type Kafka, type Message, Partitioners } from 'kafkajs';

/** Where the producer reports: a structured logger on Fargate, stderr on the command line. */
export interface ProducerReporter {
  throughput(stats: ProducerStats): void;
}

export interface ProducerStats {
  /** Lines taken from the source: once stopped, every one of them has been sent. */
  readonly taken: number;
  /** Events the brokers acknowledged. */
  readonly sent: number;
  /** Characters of the values sent: bytes, for the ASCII that events are almost entirely. */
  readonly characters: number;
  /** Events a second since the previous report. */
  readonly recentEventsPerSecond: number;
  readonly elapsedSeconds: number;
}

/** When a line may be sent: now, at a fixed rate, or when the event it describes happens. */
export interface Pacer {
  /** Resolves when `line` may go; undefined when it may go at once (no await on the hot path). */
  waitFor(line: string): Promise<void> | undefined;
}

export interface ProduceOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** The lines to send, as they are: valid events or not. */
  readonly lines: Iterable<string> | AsyncIterable<string>;
  readonly pacer: Pacer;
  /** Stops taking new lines; what was taken is still sent before produceEvents resolves. */
  readonly signal?: AbortSignal;
  readonly reporter?: ProducerReporter;
  /** @default 10_000 */
  readonly reportEveryMs?: number;
  /** Messages per produce request. @default 1_000 */
  readonly maxBatchMessages?: number;
  /** How long a message may wait for others to share its request. @default 20 */
  readonly lingerMs?: number;
}

const USER_ID = /"user_id":"((?:[^"\\]|\\.)*)"/;

/**
 * The partition key of a line: its `user_id`, so that one user's events stay in order on one
 * partition. A line with no readable user_id (a malformed record sent on purpose) gets no key.
 */
export function partitionKeyForLine(line: string): string | null {
  const match = USER_ID.exec(line);
  return match === null ? null : match[1]!;
}

/**
 * The Java-compatible default partitioner (murmur2 of the key), except that a line with no key is
 * placed by a hash of its value instead of round-robin. kafkajs partitions again on every retry of
 * a send: a round-robin choice would move a keyless line to another partition on retry, where the
 * idempotent producer's sequence numbers cannot recognise it, and the line would land twice.
 */
export const retryStablePartitioner: ICustomPartitioner = () => {
  const byKey = Partitioners.DefaultPartitioner();
  return (args) =>
    args.message.key === null || args.message.key === undefined
      ? byKey({ ...args, message: { ...args.message, key: args.message.value ?? '' } })
      : byKey(args);
};

/**
 * Sends lines to the topic with an idempotent producer (acks from all in-sync replicas, retries
 * that cannot duplicate), gzip-compressed, many to a request. One request is in flight while the
 * next is gathered. On abort it stops taking lines, sends what it holds, and resolves with the count.
 */
export async function produceEvents(options: ProduceOptions): Promise<ProducerStats> {
  const maxBatchMessages = options.maxBatchMessages ?? 1_000;
  const lingerMs = options.lingerMs ?? 20;
  const reportEveryMs = options.reportEveryMs ?? 10_000;
  const producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: retryStablePartitioner,
  });
  await producer.connect();

  const startedAt = performance.now();
  let sent = 0;
  let taken = 0;
  let characters = 0;
  let lastReportAt = startedAt;
  let sentAtLastReport = 0;
  let batch: Message[] = [];
  let batchCharacters = 0;
  let batchStartedAt = 0;
  let inFlight: Promise<unknown> = Promise.resolve();

  const stats = (now: number): ProducerStats => ({
    taken,
    sent,
    characters,
    recentEventsPerSecond: (sent - sentAtLastReport) / Math.max(0.001, (now - lastReportAt) / 1000),
    elapsedSeconds: (now - startedAt) / 1000,
  });
  const flush = async () => {
    if (batch.length === 0) return;
    const messages = batch;
    const messageCharacters = batchCharacters;
    batch = [];
    batchCharacters = 0;
    // One request in flight: the idempotent producer keeps order, and the next batch gathers meanwhile.
    await inFlight;
    inFlight = producer
      .send({ topic: options.topic, messages, compression: CompressionTypes.GZIP, acks: -1 })
      .then(() => {
        sent += messages.length;
        characters += messageCharacters;
      });
  };

  /** Takes one line; false once the producer should stop. Synchronous unless it must wait or flush. */
  const accept = (line: string): boolean | Promise<boolean> => {
    if (options.signal?.aborted) return false;
    const wait = options.pacer.waitFor(line);
    if (wait !== undefined) return waitThenAdd(line, wait);
    return add(line);
  };
  const waitThenAdd = async (line: string, wait: Promise<void>): Promise<boolean> => {
    // While waiting for the pace, let what is gathered go rather than hold it back.
    await flush();
    await wait;
    if (options.signal?.aborted) return false;
    return add(line);
  };
  const add = (line: string): boolean | Promise<boolean> => {
    const now = performance.now();
    if (batch.length === 0) batchStartedAt = now;
    batch.push({ key: partitionKeyForLine(line), value: line });
    taken++;
    batchCharacters += line.length;
    if (options.reporter && now - lastReportAt >= reportEveryMs) {
      options.reporter.throughput(stats(now));
      lastReportAt = now;
      sentAtLastReport = sent;
    }
    if (batch.length >= maxBatchMessages || now - batchStartedAt >= lingerMs) return flush().then(() => true);
    return true;
  };

  try {
    const source = options.lines;
    if (Symbol.asyncIterator in source) {
      for await (const line of source) if (!(await accept(line))) break;
    } else {
      // A plain iterable needs no await per line: only when a batch goes out or the pace says wait.
      for (const line of source) {
        const accepted = accept(line);
        if (accepted === false || (accepted !== true && !(await accepted))) break;
      }
    }
    await flush();
    await inFlight;
  } finally {
    await producer.disconnect();
  }
  const final = stats(performance.now());
  options.reporter?.throughput(final);
  return final;
}
