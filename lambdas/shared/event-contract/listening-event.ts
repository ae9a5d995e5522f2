/**
 * The listening-event contract, version 1. The JSON Schema published for other teams,
 * `contract/listening-event.v1.schema.json`, says the same thing; a test keeps the two in agreement.
 */

export const LISTENING_EVENT_SCHEMA_VERSION = 1;

export const EVENT_TYPES = ['play', 'pause', 'skip', 'add_to_playlist'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const DEVICE_TYPES = ['mobile', 'desktop', 'web'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/**
 * The seed project's countries, with the United Kingdom under its ISO 3166-1 code "GB" (the seed
 * wrote "UK", which is not an ISO code). Any ISO 3166-1 alpha-2 code is valid; these are the
 * generator's default set.
 */
export const DEFAULT_COUNTRIES = ['US', 'GB', 'CA', 'AU', 'IN', 'DE'] as const;

/** Longest accepted identifier (`user_id`, `song_id`), in characters. */
export const MAX_ID_LENGTH = 128;
/** Longest accepted name (`artist_name`, `song_name`), in characters. */
export const MAX_NAME_LENGTH = 512;
/** Longest accepted `ms_played`: one day, in milliseconds. */
export const MAX_MS_PLAYED = 86_400_000;

/**
 * One listening event as the pipeline stores it after validation: identifiers in canonical form
 * (UUIDs in lower case) and `timestamp` normalised to UTC with millisecond precision
 * (`2026-01-01T09:30:00.000Z`).
 */
export interface ListeningEvent {
  readonly schema_version: typeof LISTENING_EVENT_SCHEMA_VERSION;
  /** Unique per event (UUID); a redelivered or duplicated event keeps its id. */
  readonly event_id: string;
  /** The listening session (UUID) the event belongs to; null when the sender does not track sessions. */
  readonly session_id: string | null;
  readonly user_id: string;
  readonly song_id: string;
  readonly artist_name: string;
  readonly song_name: string;
  readonly event_type: EventType;
  readonly device_type: DeviceType;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country: string;
  /**
   * Position in the song, in milliseconds, when the event happened: where playback started for a
   * `play` (0, or the resume point after a pause), where it stopped for a `pause` or `skip`.
   * Null when the sender does not know.
   */
  readonly ms_played: number | null;
  /** When the event happened, in UTC: `YYYY-MM-DDTHH:MM:SS.sssZ`. */
  readonly timestamp: string;
}

/** Every field of the v1 contract, in the order the pipeline writes them. */
export const CONTRACT_FIELDS = [
  'schema_version',
  'event_id',
  'session_id',
  'user_id',
  'song_id',
  'artist_name',
  'song_name',
  'event_type',
  'device_type',
  'country',
  'ms_played',
  'timestamp',
] as const satisfies readonly (keyof ListeningEvent)[];
