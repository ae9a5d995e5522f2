/**
 * A binary min-heap of items by time, ties broken by insertion order so that the output never
 * depends on the heap's layout. Keys live in typed arrays beside the items: with tens of thousands
 * of sessions open (a million users), comparing keys without following object pointers is what
 * keeps a step at O(log n) cheap.
 */
export class TimeOrderedQueue<T> {
  private times = new Float64Array(64);
  private sequences = new Float64Array(64);
  private items: T[] = [];
  private nextSequence = 0;

  get size(): number {
    return this.items.length;
  }

  /** Time of the earliest item; +Infinity when empty. */
  peekTime(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** The earliest item; undefined when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(time: number, item: T): void {
    const index = this.items.length;
    if (index === this.times.length) this.grow();
    this.items.push(item);
    this.siftUp(index, time, this.nextSequence++, item);
  }

  /** Gives the earliest item a new time (a later one) and moves it to its place. */
  rescheduleEarliest(time: number): void {
    this.siftDown(0, time, this.nextSequence++, this.items[0]!);
  }

  /** Removes the earliest item. */
  removeEarliest(): void {
    const lastIndex = this.items.length - 1;
    const lastItem = this.items.pop()!;
    if (lastIndex > 0) this.siftDown(0, this.times[lastIndex]!, this.sequences[lastIndex]!, lastItem);
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const sequences = new Float64Array(this.sequences.length * 2);
    sequences.set(this.sequences);
    this.sequences = sequences;
  }

  private siftUp(index: number, time: number, sequence: number, item: T): void {
    const { times, sequences, items } = this;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime < time || (parentTime === time && sequences[parent]! < sequence)) break;
      times[index] = parentTime;
      sequences[index] = sequences[parent]!;
      items[index] = items[parent]!;
      index = parent;
    }
    times[index] = time;
    sequences[index] = sequence;
    items[index] = item;
  }

  private siftDown(index: number, time: number, sequence: number, item: T): void {
    const { times, sequences, items } = this;
    const length = items.length;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      const right = child + 1;
      if (
        right < length &&
        (times[right]! < times[child]! ||
          (times[right] === times[child] && sequences[right]! < sequences[child]!))
      ) {
        child = right;
      }
      const childTime = times[child]!;
      if (time < childTime || (time === childTime && sequence < sequences[child]!)) break;
      times[index] = childTime;
      sequences[index] = sequences[child]!;
      items[index] = items[child]!;
      index = child;
    }
    times[index] = time;
    sequences[index] = sequence;
    items[index] = item;
  }
}
