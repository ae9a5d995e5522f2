import {
  type ArrivalManifest,
  arrivalTimeOfKey,
  BRONZE_PREFIX,
  LAKE_OBJECT_SUFFIX,
} from '../shared/lake/lake-layout.js';

const HOUR_FOLDER = /^bronze\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\//;

/** Start of the UTC hour a bronze key's folder stands for; null for keys outside the layout. */
export function hourOfBronzeKey(key: string): number | null {
  const match = HOUR_FOLDER.exec(key);
  if (match === null || !key.endsWith(LAKE_OBJECT_SUFFIX)) return null;
  const hourMs = Date.parse(`${match[1]}T${match[2]}:00:00Z`);
  return Number.isNaN(hourMs) ? null : hourMs;
}

/** `bronze/date=YYYY-MM-DD/hour=HH/`: the folder of the hour starting at `hourMs`. */
export function bronzeHourFolder(hourMs: number): string {
  const iso = new Date(hourMs).toISOString();
  return `${BRONZE_PREFIX}date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
}

/** A backfill's hours, by the events' own time (the `bronze/` folders). */
export interface LoadWindow {
  /** Start of the first hour to consider (inclusive). */
  readonly fromMs: number;
  /** End of the last hour to consider (exclusive). */
  readonly toMs: number;
}

/**
 * The listed keys of a backfill window: bronze objects whose hour folder is in the window, sorted
 * by key, so hours load in order. Objects are written once and never changed, so the hour still
 * being written is loaded too: its later objects are new keys, loaded by a later run.
 */
export function selectFilesInWindow(listedKeys: Iterable<string>, window: LoadWindow): string[] {
  const selected: string[] = [];
  for (const key of listedKeys) {
    const hourMs = hourOfBronzeKey(key);
    if (hourMs !== null && hourMs >= window.fromMs && hourMs < window.toMs) selected.push(key);
  }
  return selected.sort();
}

/** An arrival manifest as the loader read it: the bronze objects to load, or why it cannot be used. */
export interface ArrivalRecord {
  readonly key: string;
  /** From the key; the manifest's own field is not trusted over its name. */
  readonly arrivedAtMs: number;
  /** Bronze objects of the lake layout it lists, without repeats. */
  readonly files: readonly string[];
  /** Listed keys that are not bronze objects of the lake layout, each with why: never loaded. */
  readonly refused: readonly { readonly key: string; readonly reason: string }[];
  /** Set when the manifest itself cannot be used (its name, its JSON, its version). */
  readonly problem?: string;
}

/**
 * Reads one object from `arrivals/`: what it lists, checked. Never throws: a manifest that cannot
 * be used is returned with its problem, which the loader reports and records.
 */
export function readArrivalManifest(key: string, body: string): ArrivalRecord {
  const arrivedAtMs = arrivalTimeOfKey(key);
  if (arrivedAtMs === null)
    return {
      key,
      arrivedAtMs: 0,
      files: [],
      refused: [],
      problem: 'its name is not an arrival manifest name',
    };
  let parsed: Partial<ArrivalManifest>;
  try {
    parsed = JSON.parse(body) as Partial<ArrivalManifest>;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { key, arrivedAtMs, files: [], refused: [], problem: `it is not JSON (${detail})` };
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.version !== 1)
    return {
      key,
      arrivedAtMs,
      files: [],
      refused: [],
      problem: `its version is ${JSON.stringify((parsed as { version?: unknown } | null)?.version)}, not 1: a newer consumer wrote it; upgrade the loader`,
    };
  if (!Array.isArray(parsed.bronze) || parsed.bronze.some((item) => typeof item !== 'string'))
    return { key, arrivedAtMs, files: [], refused: [], problem: '"bronze" is not a list of object keys' };
  const files: string[] = [];
  const refused: { key: string; reason: string }[] = [];
  for (const listed of new Set(parsed.bronze)) {
    if (hourOfBronzeKey(listed) === null)
      refused.push({ key: listed, reason: `listed by ${key}, but not a bronze object of the lake layout` });
    else files.push(listed);
  }
  return { key, arrivedAtMs, files, refused };
}
