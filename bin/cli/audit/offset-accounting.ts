import type { LakeAccount, LakeObjectAccount } from './lake-accounting.js';

/** The offsets of one topic partition the consumer group has committed and Kafka still retains. */
export interface CommittedRange {
  readonly topic: string;
  readonly partition: number;
  /** The earliest offset Kafka retains. */
  readonly from: number;
  /** The last offset the group committed past (its committed position less one); below `from` when none. */
  readonly to: number;
}

/** Consecutive offsets with the same problem. */
export interface OffsetProblem {
  readonly from: number;
  readonly to: number;
  readonly problem: string;
}

export interface PartitionAccount {
  readonly topic: string;
  readonly partition: number;
  readonly from: number;
  readonly to: number;
  /** Offsets in exactly one place: a bronze line, a quarantine record, or a repeat of a bronze line. */
  readonly accounted: number;
  /** Offsets covered only by the name of an object written before manifests listed offsets. */
  readonly unverified: number;
  /** Offsets in no place, or in more than one. */
  readonly unaccounted: number;
  readonly problems: readonly OffsetProblem[];
}

/** Where a record is: which object's line, or a repeat of which record. */
type Place = { readonly key: string; readonly present: boolean } | { readonly repeatOf: number };

/**
 * Accounts for every offset of each committed range: it must be in exactly one place. An offset in
 * an object that is no longer in the lake is unaccounted, naming the object; an object whose line
 * count is not what its manifest says makes all its offsets unaccounted.
 */
export function accountOffsets(ranges: readonly CommittedRange[], lake: LakeAccount): PartitionAccount[] {
  return ranges.map((range) => {
    const places = new Map<number, Place[]>();
    const named: LakeObjectAccount[] = [];
    const put = (offset: number, place: Place) => {
      if (offset < range.from || offset > range.to) return;
      const list = places.get(offset);
      if (list === undefined) places.set(offset, [place]);
      else list.push(place);
    };
    for (const object of lake.objects.values()) {
      if (object.topic !== range.topic || object.partition !== range.partition) continue;
      if (object.offsets === null) {
        named.push(object);
        continue;
      }
      const intact = object.lines !== null && object.lines === object.offsets.length;
      for (const offset of object.offsets) put(offset, { key: object.key, present: intact });
    }
    const bronzeLine = (offset: number) =>
      (places.get(offset) ?? []).some(
        (place) => 'key' in place && place.present && lake.objects.get(place.key)?.area === 'bronze',
      );
    for (const repeat of lake.repeats) {
      if (repeat.topic === range.topic && repeat.partition === range.partition)
        put(repeat.offset, { repeatOf: repeat.first.offset });
    }

    let accounted = 0;
    let unverified = 0;
    const problems: OffsetProblem[] = [];
    const note = (offset: number, problem: string) => {
      const last = problems.at(-1);
      if (last !== undefined && last.problem === problem && last.to === offset - 1)
        problems[problems.length - 1] = { ...last, to: offset };
      else problems.push({ from: offset, to: offset, problem });
    };
    for (let offset = range.from; offset <= range.to; offset++) {
      const here = places.get(offset) ?? [];
      if (here.length === 0) {
        const byName = named.find((object) => offset >= object.firstOffset && offset <= object.lastOffset);
        if (byName !== undefined && byName.lines !== null) unverified++;
        else if (byName !== undefined) note(offset, `in ${byName.key}, which is not in the lake`);
        else note(offset, 'in no lake object and no manifest: lost');
        continue;
      }
      if (here.length > 1) {
        note(offset, `in ${here.length} places: ${here.map(describe).join(', ')}`);
        continue;
      }
      const place = here[0]!;
      if ('repeatOf' in place) {
        if (bronzeLine(place.repeatOf)) accounted++;
        else note(offset, `a repeat of offset ${place.repeatOf}, which is not a bronze line`);
      } else if (!place.present) {
        const object = lake.objects.get(place.key)!;
        note(
          offset,
          object.lines === null
            ? `in ${place.key}, which is not in the lake`
            : `in ${place.key}, which has ${object.lines} lines where its manifest lists ${object.offsets!.length}`,
        );
      } else accounted++;
    }
    const unaccounted = problems.reduce((total, problem) => total + problem.to - problem.from + 1, 0);
    return { ...range, accounted, unverified, unaccounted, problems };
  });
}

function describe(place: Place): string {
  return 'repeatOf' in place ? `a repeat of offset ${place.repeatOf}` : place.key;
}
