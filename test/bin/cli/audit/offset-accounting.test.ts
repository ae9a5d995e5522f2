import { describe, expect, it } from 'vitest';
import type { LakeAccount, LakeObjectAccount } from '../../../../bin/cli/audit/lake-accounting.js';
import { accountOffsets } from '../../../../bin/cli/audit/offset-accounting.js';
import { lakeObjectKey } from '../../../../lambdas/shared/lake/lake-layout.js';

const TOPIC = 'spotify-events';

/** An object of partition 0 holding `offsets` (null: named by a manifest from before offsets were listed). */
function anObject(
  area: 'bronze' | 'quarantine',
  offsets: number[],
  options: { listed?: boolean; lines?: number | null } = {},
): LakeObjectAccount {
  const firstOffset = offsets[0]!;
  const lastOffset = offsets.at(-1)!;
  return {
    key: lakeObjectKey(`${area}/date=2026-01-01/hour=00/`, {
      topic: TOPIC,
      partition: 0,
      firstOffset,
      lastOffset,
    }),
    area,
    topic: TOPIC,
    partition: 0,
    offsets: options.listed === false ? null : offsets,
    firstOffset,
    lastOffset,
    lines: options.lines === undefined ? offsets.length : options.lines,
  };
}

function aLake(objects: LakeObjectAccount[], repeats: [number, number][] = []): LakeAccount {
  return {
    manifestsRead: 1,
    unreadableManifests: [],
    objects: new Map(objects.map((object) => [object.key, object])),
    repeats: repeats.map(([offset, first]) => ({
      topic: TOPIC,
      partition: 0,
      offset,
      first: { partition: 0, offset: first },
    })),
  };
}

const range = (from: number, to: number) => [{ topic: TOPIC, partition: 0, from, to }];

describe('accounting for every committed offset', () => {
  it('GIVEN bronze lines, quarantine records and a repeat covering the range THEN each offset is accounted once', () => {
    const [account] = accountOffsets(
      range(0, 5),
      aLake([anObject('bronze', [0, 1, 3]), anObject('quarantine', [2, 5])], [[4, 1]]),
    );

    expect(account).toMatchObject({ accounted: 6, unverified: 0, unaccounted: 0, problems: [] });
  });

  it('GIVEN an offset nowhere, one in two objects, and a repeat of a quarantined record THEN each is named by its range', () => {
    const bronze = anObject('bronze', [0, 1]);
    const quarantine = anObject('quarantine', [1, 2]);

    const [account] = accountOffsets(range(0, 5), aLake([bronze, quarantine], [[3, 2]]));

    expect(account!.accounted).toBe(2);
    expect(account!.problems).toEqual([
      { from: 1, to: 1, problem: `in 2 places: ${bronze.key}, ${quarantine.key}` },
      { from: 3, to: 3, problem: 'a repeat of offset 2, which is not a bronze line' },
      { from: 4, to: 5, problem: 'in no lake object and no manifest: lost' },
    ]);
    expect(account!.unaccounted).toBe(4);
  });

  it('GIVEN an object with fewer lines than its manifest lists THEN its offsets are unaccounted, saying so', () => {
    const short = anObject('bronze', [0, 1, 2], { lines: 2 });

    const [account] = accountOffsets(range(0, 2), aLake([short]));

    expect(account!.problems).toEqual([
      { from: 0, to: 2, problem: `in ${short.key}, which has 2 lines where its manifest lists 3` },
    ]);
  });

  it('GIVEN an object only a manifest from before offsets were listed names THEN its range counts as unverified, and as unaccounted once it is gone', () => {
    const old = anObject('bronze', [0, 3], { listed: false, lines: 4 });
    const gone = anObject('bronze', [4, 5], { listed: false, lines: null });

    const [account] = accountOffsets(range(0, 5), aLake([old, gone]));

    expect(account).toMatchObject({ accounted: 0, unverified: 4, unaccounted: 2 });
    expect(account!.problems).toEqual([
      { from: 4, to: 5, problem: `in ${gone.key}, which is not in the lake` },
    ]);
  });

  it('GIVEN offsets outside the committed range THEN they are not counted', () => {
    const [account] = accountOffsets(range(2, 3), aLake([anObject('bronze', [0, 1, 2, 3, 4])]));

    expect(account).toMatchObject({ from: 2, to: 3, accounted: 2, unaccounted: 0 });
  });
});
