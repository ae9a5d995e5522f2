import { DEVICE_TYPES, type EventType } from '../../shared/event-contract/listening-event.js';
import type { Catalogue } from './catalogue.js';
import type { SeededRandom } from './seeded-random.js';
import { TimeOrderedQueue } from './time-ordered-queue.js';

/**
 * Behaviour of simulated listeners. The defaults give sessions of about a dozen songs, a skip rate
 * that varies by song between 5% and 45%, and a service-wide pace set by how many users there are.
 */
export interface ListeningBehaviour {
  /** Sessions a user starts per day, on average. */
  readonly sessionsPerUserPerDay: number;
  /** Chance, after a song ends or is skipped, that the session ends. */
  readonly sessionEndChance: number;
  /** Chance that a playback is paused before its end. */
  readonly pauseChance: number;
  /** Chance, after a pause, that the listener does not come back to the song. */
  readonly abandonAfterPauseChance: number;
  /** Chance that a playback includes an add to a playlist. */
  readonly addToPlaylistChance: number;
  /** Chance that a session runs on a device other than the user's preferred one. */
  readonly otherDeviceChance: number;
}

export const DEFAULT_BEHAVIOUR: ListeningBehaviour = {
  sessionsPerUserPerDay: 2,
  sessionEndChance: 1 / 12,
  pauseChance: 0.07,
  abandonAfterPauseChance: 0.3,
  addToPlaylistChance: 0.06,
  otherDeviceChance: 0.15,
};

/**
 * A span of event time during which one song is skipped with a chance of its own instead of the
 * song's usual one: an injected anomaly for detection models to find.
 */
export interface SkipRateWindow {
  /** Index of the song in the catalogue. */
  readonly song: number;
  /** Epoch milliseconds; a playback starting at or after this time is in the window. */
  readonly fromMs: number;
  /** Epoch milliseconds; a playback starting at or after this time is not. */
  readonly toMs: number;
  /** Chance, from 0 to 1, that a playback in the window is skipped. */
  readonly skipRate: number;
}

/** Step kinds: the contract's event types, in their order, then `complete`: a song played to its end, which the contract does not report. */
const PLAY = 0;
const PAUSE = 1;
const SKIP = 2;
const ADD_TO_PLAYLIST = 3;
const COMPLETE = 4;
const EVENT_TYPE_OF_STEP: readonly EventType[] = ['play', 'pause', 'skip', 'add_to_playlist'];

/** Events in a session with the default behaviour, measured over 200,000 events: sizes arrivals to a pace. */
const MEAN_EVENTS_PER_SESSION = 11.2;

/** How far before the start a paced simulation opens its first sessions: about a session's length and a half. */
const PACED_WARM_UP_MS = 3_600_000;

/** Steps a session can have planned at once: an add to a playlist, then how the playback ends. */
const STEPS_PER_SESSION = 2;

/**
 * Open sessions, stored column-wise in typed arrays and addressed by slot: with a million users
 * tens of thousands of sessions are open at once, and objects per session and per step made the
 * garbage collector and cache misses, not the simulation, the cost of an event.
 */
class SessionTable {
  capacity = 0;
  user = new Int32Array(0);
  device = new Uint8Array(0);
  /** `"session_id":"...",` for the event line. */
  idField: string[] = [];
  /** Planned steps: a queue of up to STEPS_PER_SESSION per slot, earliest first. */
  stepCount = new Uint8Array(0);
  stepHead = new Uint8Array(0);
  stepKind = new Uint8Array(0);
  stepTime = new Float64Array(0);
  stepSong = new Int32Array(0);
  stepPosition = new Float64Array(0);
  private readonly freeSlots: number[] = [];

  open(user: number, device: number, idField: string): number {
    if (this.freeSlots.length === 0) this.grow();
    const slot = this.freeSlots.pop()!;
    this.user[slot] = user;
    this.device[slot] = device;
    this.idField[slot] = idField;
    this.stepCount[slot] = 0;
    this.stepHead[slot] = 0;
    return slot;
  }

  close(slot: number): void {
    this.freeSlots.push(slot);
  }

  plan(slot: number, kind: number, timeMs: number, song: number, positionMs: number): void {
    const index =
      slot * STEPS_PER_SESSION + ((this.stepHead[slot]! + this.stepCount[slot]!) % STEPS_PER_SESSION);
    this.stepKind[index] = kind;
    this.stepTime[index] = timeMs;
    this.stepSong[index] = song;
    this.stepPosition[index] = positionMs;
    this.stepCount[slot]!++;
  }

  /** Index of the slot's earliest planned step in the step columns. */
  firstStep(slot: number): number {
    return slot * STEPS_PER_SESSION + this.stepHead[slot]!;
  }

  dropFirstStep(slot: number): void {
    this.stepHead[slot] = (this.stepHead[slot]! + 1) % STEPS_PER_SESSION;
    this.stepCount[slot]!--;
  }

  private grow(): void {
    const capacity = Math.max(64, this.capacity * 2);
    this.user = resized(this.user, new Int32Array(capacity));
    this.device = resized(this.device, new Uint8Array(capacity));
    this.stepCount = resized(this.stepCount, new Uint8Array(capacity));
    this.stepHead = resized(this.stepHead, new Uint8Array(capacity));
    this.stepKind = resized(this.stepKind, new Uint8Array(capacity * STEPS_PER_SESSION));
    this.stepTime = resized(this.stepTime, new Float64Array(capacity * STEPS_PER_SESSION));
    this.stepSong = resized(this.stepSong, new Int32Array(capacity * STEPS_PER_SESSION));
    this.stepPosition = resized(this.stepPosition, new Float64Array(capacity * STEPS_PER_SESSION));
    for (let slot = capacity - 1; slot >= this.capacity; slot--) {
      this.idField.push('');
      this.freeSlots.push(slot);
    }
    this.idField.length = capacity;
    this.capacity = capacity;
  }
}

function resized<T extends Int32Array | Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * A discrete-event simulation of a streaming service. Sessions arrive as a Poisson process
 * (each user starting `sessionsPerUserPerDay` on average, heavy users more often); inside a session
 * every event follows from the playback before it: a play, then maybe an add to a playlist, then a
 * skip, a pause (and later a resume, which is a play of the same song from where it stopped) or the
 * end of the song and the next play. Events come out in time order; each costs O(log sessions).
 */
export class ListeningSimulator {
  /** Open sessions by the time of their next step. */
  private readonly queue = new TimeOrderedQueue<number>();
  private readonly sessions = new SessionTable();
  private readonly userInSession: Uint8Array;
  private readonly meanArrivalGapMs: number;
  private readonly allowSecondSession: boolean;
  private readonly firstEventMs: number;
  /** Skip-rate windows by song; undefined when there are none, so that playbacks pay one check. */
  private readonly skipRateWindows: ReadonlyMap<number, readonly SkipRateWindow[]> | undefined;
  private nextArrivalMs: number;
  private lastEventMs: number;

  /**
   * @param eventsPerSecond when set, the service-wide pace to simulate: sessions arrive often enough
   *   to give about this many events a second, and a user already listening may open a second session
   *   (another device) so that a small catalogue of users can still reach it.
   * @param skipRateWindows songs skipped at a rate of their own for a while. A skip decision is one
   *   draw whatever its chance, so the simulation runs exactly as without windows up to the first
   *   decision a window changes.
   */
  constructor(
    private readonly catalogue: Catalogue,
    private readonly random: SeededRandom,
    startMs: number,
    eventsPerSecond?: number,
    skipRateWindows: readonly SkipRateWindow[] = [],
    private readonly behaviour: ListeningBehaviour = DEFAULT_BEHAVIOUR,
  ) {
    this.userInSession = new Uint8Array(catalogue.userCount);
    this.allowSecondSession = eventsPerSecond !== undefined;
    this.meanArrivalGapMs =
      eventsPerSecond === undefined
        ? 86_400_000 / (catalogue.userCount * behaviour.sessionsPerUserPerDay)
        : (1000 * MEAN_EVENTS_PER_SESSION) / eventsPerSecond;
    // At a set pace, start sessions an hour early and hold back what happens before `startMs`, so
    // that the first minutes already carry the steady number of open sessions, not a ramp.
    this.nextArrivalMs = eventsPerSecond === undefined ? startMs : startMs - PACED_WARM_UP_MS;
    this.firstEventMs = startMs;
    this.lastEventMs = startMs;
    if (skipRateWindows.length > 0) {
      const bySong = new Map<number, SkipRateWindow[]>();
      for (const window of skipRateWindows)
        bySong.set(window.song, [...(bySong.get(window.song) ?? []), window]);
      this.skipRateWindows = bySong;
    }
  }

  /** Time of the latest event emitted, in epoch milliseconds: the simulation's "now". */
  get nowMs(): number {
    return this.lastEventMs;
  }

  /** The next event as one NDJSON line (without its newline). */
  nextEventLine(): string {
    const sessions = this.sessions;
    for (;;) {
      if (this.nextArrivalMs <= this.queue.peekTime()) {
        this.startSession(this.nextArrivalMs);
        this.nextArrivalMs += Math.max(1, Math.round(this.random.exponential(this.meanArrivalGapMs)));
        continue;
      }
      const slot = this.queue.peek()!;
      const step = sessions.firstStep(slot);
      const kind = sessions.stepKind[step]!;
      const timeMs = sessions.stepTime[step]!;
      const song = sessions.stepSong[step]!;
      const positionMs = sessions.stepPosition[step]!;
      const user = sessions.user[slot]!;
      const device = sessions.device[slot]!;
      const idField = sessions.idField[slot]!;
      sessions.dropFirstStep(slot);
      if (sessions.stepCount[slot] === 0) this.planAfter(slot, kind, timeMs, song, positionMs);
      if (sessions.stepCount[slot]! > 0) {
        this.queue.rescheduleEarliest(sessions.stepTime[sessions.firstStep(slot)]!);
      } else {
        this.queue.removeEarliest();
        this.endSession(slot);
      }
      if (kind !== COMPLETE && timeMs >= this.firstEventMs) {
        this.lastEventMs = timeMs;
        return this.eventLine(
          this.random,
          user,
          device,
          idField,
          EVENT_TYPE_OF_STEP[kind]!,
          song,
          positionMs,
          timeMs,
        );
      }
    }
  }

  /**
   * A play that happened `ageMs` before "now", in a session of its own: listening done offline and
   * synced hours later, the usual source of late events.
   */
  lateEventLine(ageMs: number, random: SeededRandom): string {
    // Drawn from the caller's random stream, so that late events leave the ordinary ones unchanged.
    const user = this.catalogue.drawUser(random);
    const device = this.catalogue.userPreferredDevice[user]!;
    const song = this.catalogue.drawSong(random);
    const idField = `"session_id":"${random.uuid()}",`;
    return this.eventLine(random, user, device, idField, 'play', song, 0, this.lastEventMs - ageMs);
  }

  private eventLine(
    random: SeededRandom,
    user: number,
    device: number,
    sessionField: string,
    kind: EventType,
    song: number,
    positionMs: number,
    timeMs: number,
  ): string {
    const catalogue = this.catalogue;
    return (
      `{"schema_version":1,"event_id":"${random.uuid()}",${sessionField}${catalogue.userJsonField(user)}` +
      `${catalogue.songs[song]!.jsonFields}"event_type":"${kind}","device_type":"${DEVICE_TYPES[device]}",` +
      `"country":"${catalogue.countries[catalogue.userCountry[user]!]}","ms_played":${positionMs},` +
      `"timestamp":"${localTimestamp(timeMs, catalogue.userUtcOffset[user]!)}"}`
    );
  }

  private startSession(atMs: number): void {
    let user = this.catalogue.drawUser(this.random);
    // A user listens in one session at a time; if the draw is busy, try a few others, then let it go.
    for (let attempt = 0; this.userInSession[user]! > 0; attempt++) {
      if (attempt === 8) {
        if (!this.allowSecondSession) return;
        break;
      }
      user = this.catalogue.drawUser(this.random);
    }
    this.userInSession[user]!++;
    const preferred = this.catalogue.userPreferredDevice[user]!;
    const device = this.random.chance(this.behaviour.otherDeviceChance)
      ? (preferred + 1 + this.random.nextInt(DEVICE_TYPES.length - 1)) % DEVICE_TYPES.length
      : preferred;
    const slot = this.sessions.open(user, device, `"session_id":"${this.random.uuid()}",`);
    this.sessions.plan(slot, PLAY, atMs, this.catalogue.drawSong(this.random), 0);
    this.queue.push(atMs, slot);
  }

  /** Plans what follows a session's last planned step; plans nothing when the session ends there. */
  private planAfter(slot: number, kind: number, timeMs: number, song: number, positionMs: number): void {
    const random = this.random;
    const behaviour = this.behaviour;
    switch (kind) {
      case PLAY:
        this.planPlayback(slot, timeMs, song, positionMs);
        return;
      case PAUSE:
        if (random.chance(behaviour.abandonAfterPauseChance)) return;
        this.sessions.plan(
          slot,
          PLAY,
          timeMs + Math.max(2_000, Math.round(random.exponential(90_000))),
          song,
          positionMs,
        );
        return;
      case SKIP:
      case COMPLETE: {
        if (random.chance(behaviour.sessionEndChance)) return;
        const gapMs = kind === SKIP ? random.between(300, 2_000) : random.between(0, 1_500);
        this.sessions.plan(slot, PLAY, timeMs + gapMs, this.nextSong(song), 0);
        return;
      }
      default:
        // An add to a playlist is always planned together with the playback's end, so never last.
        throw new Error(`step kind ${kind} cannot be the last planned step of a playback`);
    }
  }

  /** A playback from `positionMs`: how it ends (skip, pause or the song's end) and whether it is saved. */
  private planPlayback(slot: number, playMs: number, songIndex: number, positionMs: number): void {
    const random = this.random;
    const song = this.catalogue.songs[songIndex]!;
    const remainingMs = Math.max(1_000, song.durationMs - positionMs);
    let endKind = COMPLETE;
    let listenedMs = remainingMs;
    const skipChance =
      this.skipRateWindows === undefined
        ? song.skipChance
        : this.skipChanceAt(songIndex, playMs, song.skipChance);
    // One draw whatever the chance: a window changes the outcome, never the draws that lead up to it.
    if (random.chance(skipChance)) {
      endKind = SKIP;
      listenedMs = Math.min(remainingMs, random.between(2_000, 45_000));
    } else if (random.chance(this.behaviour.pauseChance)) {
      endKind = PAUSE;
      listenedMs = random.between(1_000, remainingMs);
    }
    if (random.chance(this.behaviour.addToPlaylistChance)) {
      const afterMs = random.between(0, listenedMs);
      this.sessions.plan(slot, ADD_TO_PLAYLIST, playMs + afterMs, songIndex, positionMs + afterMs);
    }
    const endPositionMs = endKind === COMPLETE ? song.durationMs : positionMs + listenedMs;
    this.sessions.plan(slot, endKind, playMs + listenedMs, songIndex, endPositionMs);
  }

  /** The skip chance of a playback of `songIndex` starting at `playMs`: a window's if one holds it. */
  private skipChanceAt(songIndex: number, playMs: number, usual: number): number {
    const windows = this.skipRateWindows!.get(songIndex);
    if (windows === undefined) return usual;
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i]!;
      if (playMs >= window.fromMs && playMs < window.toMs) return window.skipRate;
    }
    return usual;
  }

  private nextSong(previous: number): number {
    const song = this.catalogue.drawSong(this.random);
    // Draw once more on a repeat: listeners do replay songs, just not as often as Zipf alone would say.
    return song === previous ? this.catalogue.drawSong(this.random) : song;
  }

  private endSession(slot: number): void {
    this.userInSession[this.sessions.user[slot]!]!--;
    this.sessions.close(slot);
  }
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
const MS_PER_DAY = 86_400_000;

/** Per UTC offset: the local day last formatted, as `YYYY-MM-DDT`, and the offset as `+05:30` or `Z`. */
interface OffsetFormat {
  readonly suffix: string;
  dayStartMs: number;
  dayPrefix: string;
}
const offsetFormats = new Map<number, OffsetFormat>();

/**
 * `timeMs` as the device's local time with its offset: `2026-01-01T14:30:00.000+05:30`. Events come in
 * time order, so the date part is formatted once a day per offset and the rest from digit tables:
 * it runs once per event, and this way builds no Date and formats no date for each.
 */
function localTimestamp(timeMs: number, offsetMinutes: number): string {
  let format = offsetFormats.get(offsetMinutes);
  if (format === undefined) {
    format = { suffix: offsetSuffix(offsetMinutes), dayStartMs: Number.NaN, dayPrefix: '' };
    offsetFormats.set(offsetMinutes, format);
  }
  const localMs = timeMs + offsetMinutes * 60_000;
  let intoDayMs = localMs - format.dayStartMs;
  if (!(intoDayMs >= 0 && intoDayMs < MS_PER_DAY)) {
    format.dayStartMs = localMs - (((localMs % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
    format.dayPrefix = new Date(format.dayStartMs).toISOString().slice(0, 11);
    intoDayMs = localMs - format.dayStartMs;
  }
  const seconds = Math.floor(intoDayMs / 1000);
  return (
    format.dayPrefix +
    TWO_DIGITS[Math.floor(seconds / 3600)]! +
    ':' +
    TWO_DIGITS[Math.floor(seconds / 60) % 60]! +
    ':' +
    TWO_DIGITS[seconds % 60]! +
    '.' +
    THREE_DIGITS[intoDayMs - seconds * 1000]! +
    format.suffix
  );
}

function offsetSuffix(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const magnitude = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? '-' : '+'}${TWO_DIGITS[Math.floor(magnitude / 60)]}:${TWO_DIGITS[magnitude % 60]}`;
}
