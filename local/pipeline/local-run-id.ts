import { randomBytes } from 'node:crypto';

/**
 * A run id for a local command, as the state machine's execution name is on AWS: it names the
 * run's load transactions and its transformation batch. The time first, so ids sort by start; a
 * random tail, so two commands started in the same millisecond differ.
 */
export function localRunId(command: string, nowMs: number = Date.now()): string {
  return `${command}-${new Date(nowMs).toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}
