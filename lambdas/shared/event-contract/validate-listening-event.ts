import { ISO_3166_ALPHA2_CODES } from './iso-3166-alpha2.js';
import {
  CONTRACT_FIELDS,
  DEVICE_TYPES,
  EVENT_TYPES,
  LISTENING_EVENT_SCHEMA_VERSION,
  type ListeningEvent,
  MAX_ID_LENGTH,
  MAX_MS_PLAYED,
  MAX_NAME_LENGTH,
} from './listening-event.js';
import { parseZonedTimestamp } from './zoned-timestamp.js';

/** One thing wrong with a record: which field, what it held (a short preview), and why it is refused. */
export interface ContractProblem {
  /** A contract field name, an unknown field's name, or `(record)` for the record as a whole. */
  readonly field: string;
  /** A JSON preview of the offending value, cut to a readable length; null when the field is missing. */
  readonly value: string | null;
  /** Reads after the field and value: `has no time zone: add "Z" for UTC ...`. */
  readonly reason: string;
}

export type ValidationResult =
  | { readonly ok: true; readonly event: ListeningEvent }
  | { readonly ok: false; readonly problems: readonly ContractProblem[] };

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Printable text with no surrounding white space: ids and names are compared exactly downstream. */
const TRIMMED_PRINTABLE = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u;
const KNOWN_FIELDS: ReadonlySet<string> = new Set(CONTRACT_FIELDS);
const PREVIEW_LENGTH = 80;

/**
 * Checks one decoded record against the v1 contract. Returns every problem of the record, not just
 * the first, or the event in canonical form (UUIDs lower case, timestamp normalised to UTC).
 * The producer, the consumer and the loader all call this one function.
 */
export function validateListeningEvent(record: unknown): ValidationResult {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    const reason = Array.isArray(record)
      ? 'is a JSON array, not an object: send one event per record'
      : `is ${describeType(record)}, not a JSON object with the event's fields`;
    return { ok: false, problems: [{ field: '(record)', value: preview(record), reason }] };
  }
  const fields = record as Record<string, unknown>;
  const problems: ContractProblem[] = [];
  // Bound once per record, not a closure per record: this runs for every event the pipeline sees.
  const problem: ReportProblem = reportProblem.bind(null, fields, problems);

  for (const field of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(field)) {
      problem(field, 'is not a field of the v1 contract: remove it, or propose it for a new schema_version');
    }
  }

  const schemaVersion = fields.schema_version;
  if (schemaVersion === undefined)
    problem('schema_version', `is missing: set it to ${LISTENING_EVENT_SCHEMA_VERSION}`);
  else if (typeof schemaVersion !== 'number') {
    problem(
      'schema_version',
      `is ${describeType(schemaVersion)}; it must be the number ${LISTENING_EVENT_SCHEMA_VERSION}`,
    );
  } else if (schemaVersion !== LISTENING_EVENT_SCHEMA_VERSION) {
    problem('schema_version', `is not a supported version (supported: ${LISTENING_EVENT_SCHEMA_VERSION})`);
  }

  const eventId = checkUuid(fields, 'event_id', problem, true);
  const sessionId = checkUuid(fields, 'session_id', problem, false);
  const userId = checkText(fields, 'user_id', MAX_ID_LENGTH, problem);
  const songId = checkText(fields, 'song_id', MAX_ID_LENGTH, problem);
  const artistName = checkText(fields, 'artist_name', MAX_NAME_LENGTH, problem);
  const songName = checkText(fields, 'song_name', MAX_NAME_LENGTH, problem);
  const eventType = checkEnum(fields, 'event_type', EVENT_TYPES, problem);
  const deviceType = checkEnum(fields, 'device_type', DEVICE_TYPES, problem);
  const country = checkCountry(fields, problem);
  const msPlayed = checkMsPlayed(fields, problem);
  const timestamp = checkTimestamp(fields, problem);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    event: {
      schema_version: LISTENING_EVENT_SCHEMA_VERSION,
      event_id: eventId!,
      session_id: sessionId ?? null,
      user_id: userId!,
      song_id: songId!,
      artist_name: artistName!,
      song_name: songName!,
      event_type: eventType!,
      device_type: deviceType!,
      country: country!,
      ms_played: msPlayed ?? null,
      timestamp: timestamp!,
    },
  };
}

/** Decodes one record's text (a Kafka value, an NDJSON line) and validates it. */
export function parseListeningEventJson(text: string): ValidationResult {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const reason =
      text.trim() === '' ? 'is empty: each record must hold one JSON event' : `is not valid JSON (${detail})`;
    return { ok: false, problems: [{ field: '(record)', value: preview(text), reason }] };
  }
  return validateListeningEvent(record);
}

/** One line per record: `event_type "stop" is not one of play, pause, skip, add_to_playlist; country ...`. */
export function describeProblems(problems: readonly ContractProblem[]): string {
  return problems
    .map(({ field, value, reason }) =>
      value === null ? `${field} ${reason}` : `${field} ${value} ${reason}`,
    )
    .join('; ');
}

type ReportProblem = (field: string, reason: string) => void;

function reportProblem(
  fields: Record<string, unknown>,
  problems: ContractProblem[],
  field: string,
  reason: string,
): void {
  problems.push({ field, value: field in fields ? preview(fields[field]) : null, reason });
}

function checkUuid(
  fields: Record<string, unknown>,
  field: 'event_id' | 'session_id',
  problem: ReportProblem,
  required: boolean,
): string | undefined {
  const value = fields[field];
  if (value === undefined || value === null) {
    if (required) problem(field, 'is missing: every event needs a UUID of its own');
    return undefined;
  }
  if (typeof value !== 'string') return void problem(field, `is ${describeType(value)}, not a UUID string`);
  if (!UUID.test(value))
    return void problem(field, 'is not a UUID such as 0b6f3c1e-5d4a-4f7e-9a2b-1c3d5e7f9a0b');
  return value.toLowerCase();
}

function checkText(
  fields: Record<string, unknown>,
  field: 'user_id' | 'song_id' | 'artist_name' | 'song_name',
  maxLength: number,
  problem: ReportProblem,
): string | undefined {
  const value = fields[field];
  if (value === undefined) return void problem(field, 'is missing');
  if (typeof value !== 'string') return void problem(field, `is ${describeType(value)}, not a string`);
  if (value.length > maxLength && codePointLength(value) > maxLength) {
    return void problem(field, `is ${codePointLength(value)} characters long; the limit is ${maxLength}`);
  }
  if (!TRIMMED_PRINTABLE.test(value)) {
    return void problem(field, 'is empty, has surrounding white space or holds control characters');
  }
  return value;
}

function checkEnum<T extends string>(
  fields: Record<string, unknown>,
  field: 'event_type' | 'device_type',
  allowed: readonly T[],
  problem: ReportProblem,
): T | undefined {
  const value = fields[field];
  if (value === undefined) return void problem(field, `is missing: one of ${allowed.join(', ')}`);
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const lowerCase = typeof value === 'string' ? value.toLowerCase() : undefined;
  const hint =
    lowerCase !== undefined && (allowed as readonly string[]).includes(lowerCase)
      ? ` (values are lower case: "${lowerCase}")`
      : '';
  problem(field, `is not one of ${allowed.join(', ')}${hint}`);
  return undefined;
}

function checkCountry(fields: Record<string, unknown>, problem: ReportProblem): string | undefined {
  const value = fields.country;
  if (value === undefined)
    return void problem('country', 'is missing: an ISO 3166-1 alpha-2 code such as "US"');
  if (typeof value !== 'string')
    return void problem('country', `is ${describeType(value)}, not a country code`);
  if (ISO_3166_ALPHA2_CODES.has(value)) return value;
  if (value.toUpperCase() === 'UK') {
    return void problem('country', 'is not an ISO 3166-1 code: the United Kingdom is "GB"');
  }
  if (ISO_3166_ALPHA2_CODES.has(value.toUpperCase())) {
    return void problem(
      'country',
      `is lower case: ISO 3166-1 codes are upper case ("${value.toUpperCase()}")`,
    );
  }
  problem('country', 'is not an ISO 3166-1 alpha-2 country code such as "US" or "GB"');
  return undefined;
}

function checkMsPlayed(fields: Record<string, unknown>, problem: ReportProblem): number | undefined {
  const value = fields.ms_played;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') return void problem('ms_played', `is ${describeType(value)}, not a number`);
  if (!Number.isInteger(value) || value < 0 || value > MAX_MS_PLAYED) {
    return void problem('ms_played', `is not a whole number of milliseconds from 0 to ${MAX_MS_PLAYED}`);
  }
  return value;
}

function checkTimestamp(fields: Record<string, unknown>, problem: ReportProblem): string | undefined {
  const value = fields.timestamp;
  if (value === undefined) return void problem('timestamp', 'is missing: an ISO-8601 date-time with a zone');
  if (typeof value !== 'string')
    return void problem('timestamp', `is ${describeType(value)}, not an ISO-8601 string`);
  const parsed = parseZonedTimestamp(value);
  if (!parsed.ok) return void problem('timestamp', parsed.reason);
  return parsed.utc;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** A short JSON rendering, so that a megabyte-long value does not flood a log line or a quarantine reason. */
function preview(value: unknown): string {
  let text: string;
  if (typeof value === 'string') {
    text = JSON.stringify(value.length > PREVIEW_LENGTH ? value.slice(0, PREVIEW_LENGTH) : value);
  } else {
    text = JSON.stringify(value) ?? String(value);
  }
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…(${lengthOf(value)})` : text;
}

function lengthOf(value: unknown): string {
  return typeof value === 'string' ? `${value.length} characters` : 'truncated';
}
