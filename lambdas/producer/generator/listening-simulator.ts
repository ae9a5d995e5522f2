import { DEVICE_TYPES, type EventType } from '../../shared/event-contract/listening-event.js';
import type { Catalogue } from './catalogue.js';
import type { SeededRandom } from './seeded-random.js';

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

/** `complete` is the simulator's own: a song played to its end, which the contract does not report. */
type StepKind = EventType | 'complete';

interface PlannedStep {
  readonly kind: StepKind;
  readonly timeMs: number;
  readonly song: number;
  readonly positionMs: number;
}

/** A user's listening session: the steps planned for the playback under way, earliest first. */
interface ListeningSession {
  readonly user: number;
  readonly device: number;
  /** `"session_id":"...",` for the event line. */
  readonly idField: string;
  readonly steps: PlannedStep[];
  /** Tie-breaker for steps due at the same millisecond, so the output order never depends on the heap. */
  sequence: number;
}

/**
 * A discrete-event simulation of a streaming service. Sessions arrive as a Poisson process
 * (each user starting `sessionsPerUserPerDay` on average, heavy users more often); inside a session
 * every event follows from the playback before it: a play, then maybe an add to a playlist, then a
 * skip, a pause (and later a resume, which is a play of the same song from where it stopped) or the
 * end of the song and the next play. Events come out in time order; each costs O(log sessions).
 */
export class ListeningSimulator {
  private readonly queue: ListeningSession[] = [];
  private readonly userInSession: Uint8Array;
  private readonly meanArrivalGapMs: number;
  private nextArrivalMs: number;
  private sequence = 0;
  private lastEventMs: number;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly random: SeededRandom,
    startMs: number,
    private readonly behaviour: ListeningBehaviour = DEFAULT_BEHAVIOUR,
  ) {
    this.userInSession = new Uint8Array(catalogue.userCount);
    this.meanArrivalGapMs = 86_400_000 / (catalogue.userCount * behaviour.sessionsPerUserPerDay);
    this.nextArrivalMs = startMs;
    this.lastEventMs = startMs;
  }

  /** Time of the latest event emitted, in epoch milliseconds: the simulation's "now". */
  get nowMs(): number {
    return this.lastEventMs;
  }

  /** The next event as one NDJSON line (without its newline). */
  nextEventLine(): string {
    for (;;) {
      const session = this.queue[0];
      if (session === undefined || this.nextArrivalMs <= session.steps[0]!.timeMs) {
        this.startSession(this.nextArrivalMs);
        this.nextArrivalMs += Math.max(1, Math.round(this.random.exponential(this.meanArrivalGapMs)));
        continue;
      }
      const step = session.steps.shift()!;
      if (session.steps.length === 0) this.planAfter(session, step);
      this.reschedule(session);
      if (step.kind !== 'complete') {
        this.lastEventMs = step.timeMs;
        return this.eventLine(
          this.random,
          session.user,
          session.device,
          session.idField,
          step.kind,
          step.song,
          step.positionMs,
          step.timeMs,
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
    for (let attempt = 0; this.userInSession[user] === 1; attempt++) {
      if (attempt === 8) return;
      user = this.catalogue.drawUser(this.random);
    }
    this.userInSession[user] = 1;
    const preferred = this.catalogue.userPreferredDevice[user]!;
    const device = this.random.chance(this.behaviour.otherDeviceChance)
      ? (preferred + 1 + this.random.nextInt(DEVICE_TYPES.length - 1)) % DEVICE_TYPES.length
      : preferred;
    const session: ListeningSession = {
      user,
      device,
      idField: `"session_id":"${this.random.uuid()}",`,
      steps: [{ kind: 'play', timeMs: atMs, song: this.catalogue.drawSong(this.random), positionMs: 0 }],
      sequence: 0,
    };
    this.push(session);
  }

  /** Plans what follows `step`, the last planned step of the session; ends the session when nothing does. */
  private planAfter(session: ListeningSession, step: PlannedStep): void {
    const random = this.random;
    const behaviour = this.behaviour;
    switch (step.kind) {
      case 'play':
        this.planPlayback(session, step);
        return;
      case 'pause':
        if (random.chance(behaviour.abandonAfterPauseChance)) {
          this.endSession(session);
          return;
        }
        session.steps.push({
          kind: 'play',
          timeMs: step.timeMs + Math.max(2_000, Math.round(random.exponential(90_000))),
          song: step.song,
          positionMs: step.positionMs,
        });
        return;
      case 'skip':
      case 'complete': {
        if (random.chance(behaviour.sessionEndChance)) {
          this.endSession(session);
          return;
        }
        const gapMs = step.kind === 'skip' ? random.between(300, 2_000) : random.between(0, 1_500);
        session.steps.push({
          kind: 'play',
          timeMs: step.timeMs + gapMs,
          song: this.nextSong(step.song),
          positionMs: 0,
        });
        return;
      }
      case 'add_to_playlist':
        // Always planned together with the playback's end, so it is never the last step.
        throw new Error('add_to_playlist cannot be the last planned step of a playback');
    }
  }

  /** A playback from `play.positionMs`: how it ends (skip, pause or the song's end) and whether it is saved. */
  private planPlayback(session: ListeningSession, play: PlannedStep): void {
    const random = this.random;
    const song = this.catalogue.songs[play.song]!;
    const remainingMs = Math.max(1_000, song.durationMs - play.positionMs);
    let end: PlannedStep;
    if (random.chance(song.skipChance)) {
      const listenedMs = Math.min(remainingMs, random.between(2_000, 45_000));
      end = {
        kind: 'skip',
        timeMs: play.timeMs + listenedMs,
        song: play.song,
        positionMs: play.positionMs + listenedMs,
      };
    } else if (random.chance(this.behaviour.pauseChance)) {
      const listenedMs = random.between(1_000, remainingMs);
      end = {
        kind: 'pause',
        timeMs: play.timeMs + listenedMs,
        song: play.song,
        positionMs: play.positionMs + listenedMs,
      };
    } else {
      end = {
        kind: 'complete',
        timeMs: play.timeMs + remainingMs,
        song: play.song,
        positionMs: song.durationMs,
      };
    }
    if (random.chance(this.behaviour.addToPlaylistChance)) {
      const afterMs = random.between(0, end.timeMs - play.timeMs);
      session.steps.push({
        kind: 'add_to_playlist',
        timeMs: play.timeMs + afterMs,
        song: play.song,
        positionMs: play.positionMs + afterMs,
      });
    }
    session.steps.push(end);
  }

  private nextSong(previous: number): number {
    const song = this.catalogue.drawSong(this.random);
    // Draw once more on a repeat: listeners do replay songs, just not as often as Zipf alone would say.
    return song === previous ? this.catalogue.drawSong(this.random) : song;
  }

  private endSession(session: ListeningSession): void {
    this.userInSession[session.user] = 0;
  }

  // A binary min-heap of sessions by their next step's time, ties by sequence.

  private push(session: ListeningSession): void {
    session.sequence = this.sequence++;
    this.queue.push(session);
    this.siftUp(this.queue.length - 1);
  }

  /** After the head session's steps changed: move it to its new place, or drop it if it ended. */
  private reschedule(head: ListeningSession): void {
    if (head.steps.length > 0) {
      head.sequence = this.sequence++;
      this.siftDown(0);
      return;
    }
    const last = this.queue.pop()!;
    if (last !== head) {
      this.queue[0] = last;
      this.siftDown(0);
    }
  }

  private before(a: ListeningSession, b: ListeningSession): boolean {
    const timeA = a.steps[0]!.timeMs;
    const timeB = b.steps[0]!.timeMs;
    return timeA < timeB || (timeA === timeB && a.sequence < b.sequence);
  }

  private siftUp(index: number): void {
    const queue = this.queue;
    const item = queue[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(item, queue[parent]!)) break;
      queue[index] = queue[parent]!;
      index = parent;
    }
    queue[index] = item;
  }

  private siftDown(index: number): void {
    const queue = this.queue;
    const item = queue[index]!;
    const length = queue.length;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      if (child + 1 < length && this.before(queue[child + 1]!, queue[child]!)) child++;
      if (!this.before(queue[child]!, item)) break;
      queue[index] = queue[child]!;
      index = child;
    }
    queue[index] = item;
  }
}

const offsetSuffixes = new Map<number, string>();

/** `timeMs` as the device's local time with its offset: `2026-01-01T14:30:00.000+05:30`. */
function localTimestamp(timeMs: number, offsetMinutes: number): string {
  const local = new Date(timeMs + offsetMinutes * 60_000).toISOString();
  if (offsetMinutes === 0) return local;
  let suffix = offsetSuffixes.get(offsetMinutes);
  if (suffix === undefined) {
    const magnitude = Math.abs(offsetMinutes);
    suffix = `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(magnitude / 60)).padStart(2, '0')}:${String(magnitude % 60).padStart(2, '0')}`;
    offsetSuffixes.set(offsetMinutes, suffix);
  }
  return local.slice(0, 23) + suffix;
}
