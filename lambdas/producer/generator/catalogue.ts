import { base, en, Faker } from '@faker-js/faker';
import { DEVICE_TYPES, type DeviceType } from '../../shared/event-contract/listening-event.js';
import { SeededRandom } from './seeded-random.js';
import { WeightedSampler, zipfWeights } from './weighted-sampler.js';

/** A song of the catalogue. `jsonFields` is its part of an event line, escaped once, reused per event. */
export interface Song {
  readonly id: string;
  readonly name: string;
  readonly artist: string;
  readonly durationMs: number;
  /** Chance that a listener skips the song when it starts: some songs get skipped far more than others. */
  readonly skipChance: number;
  readonly jsonFields: string;
}

export interface CatalogueOptions {
  readonly seed: number;
  readonly users: number;
  readonly songs: number;
  /** ISO 3166-1 alpha-2 codes users live in. */
  readonly countries: readonly string[];
}

/** Share of users per country in the default set, loosely after a streaming service's audience. */
const DEFAULT_COUNTRY_SHARE: Readonly<Record<string, number>> = {
  US: 34,
  IN: 20,
  GB: 13,
  DE: 12,
  CA: 11,
  AU: 10,
};
const DEVICE_SHARE: Readonly<Record<DeviceType, number>> = { mobile: 60, desktop: 25, web: 15 };

/**
 * Standard-time UTC offsets, in minutes, a user of each country may live in. Events carry the
 * device's local time with its offset, as real clients send them; the pipeline normalises to UTC.
 * Countries not listed use UTC.
 */
const COUNTRY_UTC_OFFSETS: Readonly<Record<string, readonly number[]>> = {
  US: [-300, -360, -420, -480],
  CA: [-300, -360, -480],
  GB: [0],
  DE: [60],
  IN: [330],
  AU: [600, 570, 480],
};

/** Song popularity follows Zipf's law with this exponent: a few songs take most of the plays. */
const SONG_POPULARITY_EXPONENT = 1.0;
/** User activity is skewed too, more mildly: heavy listeners start more sessions. */
const USER_ACTIVITY_EXPONENT = 0.5;
const SONGS_PER_ARTIST = 3;

/**
 * The users and songs events are drawn from. Songs get names from faker's music vocabulary; users
 * get a stable home country, UTC offset and preferred device. Built in O(users + songs) into typed
 * arrays, with no object per user, so that the largest catalogues cost little next to the events
 * drawn from them.
 */
export class Catalogue {
  readonly songs: readonly Song[];
  readonly countries: readonly string[];
  readonly userCount: number;
  /** Index into `countries`, per user. */
  readonly userCountry: Uint16Array;
  /** Minutes east of UTC, per user. */
  readonly userUtcOffset: Int16Array;
  /** Index into DEVICE_TYPES, per user. */
  readonly userPreferredDevice: Uint8Array;
  private readonly songPopularity: WeightedSampler;
  private readonly songByPopularityRank: Uint32Array;
  private readonly userActivity: WeightedSampler;
  private readonly userByActivityRank: Uint32Array;
  private readonly userIdWidth: number;

  constructor(options: CatalogueOptions) {
    const random = new SeededRandom(options.seed, 1);
    this.countries = options.countries;
    this.userCount = options.users;
    this.userIdWidth = Math.max(6, String(options.users).length);
    this.songs = buildSongs(options.seed, options.songs, random);
    this.songByPopularityRank = shuffledIndices(options.songs, random);
    this.songPopularity = new WeightedSampler(zipfWeights(options.songs, SONG_POPULARITY_EXPONENT));
    this.userByActivityRank = shuffledIndices(options.users, random);
    this.userActivity = new WeightedSampler(zipfWeights(options.users, USER_ACTIVITY_EXPONENT));

    const countryPicker = new WeightedSampler(
      options.countries.map((code) => DEFAULT_COUNTRY_SHARE[code] ?? averageShare(options.countries)),
    );
    const devicePicker = new WeightedSampler(DEVICE_TYPES.map((device) => DEVICE_SHARE[device]));
    this.userCountry = new Uint16Array(options.users);
    this.userUtcOffset = new Int16Array(options.users);
    this.userPreferredDevice = new Uint8Array(options.users);
    for (let user = 0; user < options.users; user++) {
      const country = countryPicker.sample(random.nextFloat());
      const offsets = COUNTRY_UTC_OFFSETS[options.countries[country]!] ?? [0];
      this.userCountry[user] = country;
      this.userUtcOffset[user] = offsets[random.nextInt(offsets.length)]!;
      this.userPreferredDevice[user] = devicePicker.sample(random.nextFloat());
    }
  }

  /** A song drawn by popularity. */
  drawSong(random: SeededRandom): number {
    return this.songByPopularityRank[this.songPopularity.sample(random.nextFloat())]!;
  }

  /** A user drawn by activity. */
  drawUser(random: SeededRandom): number {
    return this.userByActivityRank[this.userActivity.sample(random.nextFloat())]!;
  }

  userId(user: number): string {
    return `user_${String(user + 1).padStart(this.userIdWidth, '0')}`;
  }

  /** The user's part of an event line: `"user_id":"...",`. */
  userJsonField(user: number): string {
    // Built each time: a cache indexed by a million sparse user numbers would be slower than this.
    return `"user_id":"${this.userId(user)}",`;
  }
}

/** The id of the song at `index` in a catalogue of `songCount` songs: `song_000001` for the first. */
export function songIdOf(index: number, songCount: number): string {
  return `song_${String(index + 1).padStart(Math.max(6, String(songCount).length), '0')}`;
}

/** The index of the song with id `songId` in a catalogue of `songCount` songs, or undefined if it has none. */
export function songIndexOf(songId: string, songCount: number): number | undefined {
  const digits = /^song_(\d+)$/.exec(songId)?.[1];
  if (digits === undefined) return undefined;
  const index = Number(digits) - 1;
  // Only the exact spelling the catalogue gives: `song_1` or `song_0000001` name no song of it.
  return index >= 0 && index < songCount && songIdOf(index, songCount) === songId ? index : undefined;
}

function buildSongs(seed: number, count: number, random: SeededRandom): Song[] {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  const artists = buildArtists(faker, Math.max(1, Math.ceil(count / SONGS_PER_ARTIST)));
  const songs: Song[] = [];
  for (let index = 0; index < count; index++) {
    const id = songIdOf(index, count);
    const name = faker.music.songName();
    const artist = artists[random.nextInt(artists.length)]!;
    songs.push({
      id,
      name,
      artist,
      durationMs: random.between(120_000, 360_000),
      skipChance: 0.05 + 0.4 * random.nextFloat(),
      jsonFields: `"song_id":"${id}","artist_name":${JSON.stringify(artist)},"song_name":${JSON.stringify(name)},`,
    });
  }
  return songs;
}

/** Distinct artist names: faker's real-world artists first, then made-up names once those run out. */
function buildArtists(faker: Faker, count: number): string[] {
  const names = new Set<string>();
  let misses = 0;
  while (names.size < count && misses < 50) {
    const size = names.size;
    names.add(faker.music.artist());
    misses = names.size === size ? misses + 1 : 0;
  }
  misses = 0;
  while (names.size < count) {
    const size = names.size;
    const name = `${faker.person.firstName()} ${faker.person.lastName()}`;
    // Past a few hundred thousand artists first and last names run short: number the newcomers.
    names.add(misses < 100 ? name : `${name} ${names.size}`);
    misses = names.size === size ? misses + 1 : 0;
  }
  return [...names];
}

function shuffledIndices(count: number, random: SeededRandom): Uint32Array {
  const indices = new Uint32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const swap = indices[i]!;
    indices[i] = indices[j]!;
    indices[j] = swap;
  }
  return indices;
}

function averageShare(countries: readonly string[]): number {
  const known = countries.filter((code) => code in DEFAULT_COUNTRY_SHARE);
  if (known.length === 0) return 1;
  return known.reduce((sum, code) => sum + DEFAULT_COUNTRY_SHARE[code]!, 0) / known.length;
}
