import { BRONZE_PREFIX, LAKE_OBJECT_SUFFIX } from '../shared/lake/lake-layout.js';

const HOUR_FOLDER = /^bronze\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\//;
const HOUR_MS = 3_600_000;

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

export interface LoadWindow {
  /** Start of the first hour to consider (inclusive). */
  readonly fromMs: number;
  /** End of the last hour to consider (exclusive). */
  readonly toMs: number;
}

/**
 * Which listed files to load: in the window, in a closed hour (one that has ended) unless the open
 * hour is asked for, and not in the ledger. Sorted by key, so hours load in order.
 */
export function selectFilesToLoad(
  listedKeys: Iterable<string>,
  loaded: ReadonlySet<string>,
  window: LoadWindow,
  nowMs: number,
  includeOpenHour: boolean,
): string[] {
  const openHourMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const selected: string[] = [];
  for (const key of listedKeys) {
    const hourMs = hourOfBronzeKey(key);
    if (hourMs === null || hourMs < window.fromMs || hourMs >= window.toMs) continue;
    if (!includeOpenHour && hourMs >= openHourMs) continue;
    if (!loaded.has(key)) selected.push(key);
  }
  return selected.sort();
}
