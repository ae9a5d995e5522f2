/** Record factories for tests: a valid v1 event as a sender would write it, with overrides. */

export function aListeningEventRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: 1,
    event_id: '0b6f3c1e-5d4a-4f7e-9a2b-1c3d5e7f9a0b',
    session_id: '5a0c2d9e-7b1f-4c3a-8e6d-2f4b6a8c0e1d',
    user_id: 'user_000017',
    song_id: 'song_000004',
    artist_name: 'ABBA',
    song_name: 'Dancing Queen',
    event_type: 'play',
    device_type: 'mobile',
    country: 'GB',
    ms_played: 0,
    timestamp: '2026-01-01T09:30:00.000Z',
    ...overrides,
  };
}

/** The record without the named fields. */
export function withoutFields(record: Record<string, unknown>, ...fields: string[]): Record<string, unknown> {
  const copy = { ...record };
  for (const field of fields) delete copy[field];
  return copy;
}
