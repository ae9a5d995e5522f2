import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../lambdas/producer/generator/seeded-random.js';
import { TimeOrderedQueue } from '../../../../lambdas/producer/generator/time-ordered-queue.js';

describe('TimeOrderedQueue', () => {
  it('GIVEN items pushed at random times, many tied WHEN drained THEN they come out by time, ties in insertion order', () => {
    const queue = new TimeOrderedQueue<number>();
    const random = new SeededRandom(5);
    const pushed: { time: number; item: number }[] = [];
    for (let item = 0; item < 5_000; item++) {
      const time = random.nextInt(500);
      pushed.push({ time, item });
      queue.push(time, item);
    }
    const drained: number[] = [];
    while (queue.size > 0) {
      drained.push(queue.peek()!);
      queue.removeEarliest();
    }
    const expected = [...pushed]
      .sort((a, b) => a.time - b.time || a.item - b.item)
      .map((entry) => entry.item);
    expect(drained).toEqual(expected);
    expect(queue.peekTime()).toBe(Number.POSITIVE_INFINITY);
  });

  it('GIVEN the earliest item rescheduled WHEN drained THEN it comes after items due before its new time', () => {
    const queue = new TimeOrderedQueue<string>();
    queue.push(1, 'a');
    queue.push(5, 'b');
    queue.push(9, 'c');
    queue.rescheduleEarliest(5);
    const order: string[] = [];
    while (queue.size > 0) {
      order.push(queue.peek()!);
      queue.removeEarliest();
    }
    // 'a' was rescheduled to 5 after 'b' was queued at 5: the tie goes to 'b'.
    expect(order).toEqual(['b', 'a', 'c']);
  });
});
