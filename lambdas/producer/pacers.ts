import { setTimeout as sleep } from 'node:timers/promises';
import type { Pacer } from './event-producer.js';

/** Sends as fast as the broker takes them. */
export const unpaced: Pacer = { waitFor: () => undefined };

/** Sends at `eventsPerSecond` on average, catching up after a slow spell rather than drifting. */
export function fixedRatePacer(eventsPerSecond: number, now: () => number = () => performance.now()): Pacer {
  let startedAt: number | undefined;
  let taken = 0;
  return {
    waitFor() {
      startedAt ??= now();
      const dueAt = startedAt + (taken++ * 1000) / eventsPerSecond;
      const waitMs = dueAt - now();
      return waitMs > 1 ? sleep(waitMs) : undefined;
    },
  };
}

const TIMESTAMP = /"timestamp":"([^"]+)"/;

/**
 * Sends each event when it happens, by its own timestamp: a generated stream paced to the clock
 * goes out in real time, with the gaps of real listening. Lines without a readable timestamp go at once.
 */
export function eventTimePacer(wallClockMs: () => number = Date.now): Pacer {
  return {
    waitFor(line) {
      const match = TIMESTAMP.exec(line);
      const eventMs = match === null ? Number.NaN : Date.parse(match[1]!);
      const waitMs = eventMs - wallClockMs();
      return waitMs > 1 ? sleep(waitMs) : undefined;
    },
  };
}
