import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { LocalServiceError } from './local-service-error.js';

const execFileAsync = promisify(execFile);

/** What a pid file records about a service process this project started. */
export interface ServiceProcessRecord {
  /** Process id; the process leads its own process group, so the group id is the same number. */
  readonly pid: number;
  /**
   * A word that the process's command line must contain (`kafka.Kafka`, `moto_server`). Checked
   * before sending a signal, so that a pid reused by an unrelated program is never killed.
   */
  readonly commandMarker: string;
  /** ISO-8601 time the process was started. */
  readonly startedAt: string;
}

/** What starting a service found or did. */
export interface ServiceStart {
  /** Where clients reach the service: `127.0.0.1:9092` for Kafka, `http://127.0.0.1:4566` for S3. */
  readonly endpoint: string;
  /**
   * True when this call started the process; false when a service already answered on the endpoint
   * (started earlier, by this project or by something else such as the compose profile).
   */
  readonly startedNow: boolean;
  /** The log file of the process this project runs on that port (it may not exist if it never ran). */
  readonly logFile: string;
  /** Milliseconds from spawning the process until it answered; only when `startedNow`. */
  readonly startMs?: number;
  /** Process id, when this project started the process. */
  readonly pid?: number;
}

/** How to start a long-running service process. */
export interface DetachedProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** Standard output and standard error both go here; the file is truncated at each start. */
  readonly logFile: string;
  /** Where the {@link ServiceProcessRecord} is written. */
  readonly pidFile: string;
  /** See {@link ServiceProcessRecord.commandMarker}. */
  readonly commandMarker: string;
  /** @default - the current working directory */
  readonly cwd?: string;
  /** @default - the current environment */
  readonly env?: NodeJS.ProcessEnv;
}

/** A process started by {@link startDetachedProcess}. */
export interface DetachedProcess {
  readonly pid: number;
  /** The exit status once the process has ended while this Node process was watching, else undefined. */
  exitStatus(): string | undefined;
}

/**
 * Starts a process that outlives this one (its own session and process group, stdio to a log file)
 * and records its pid. The CLI's `local up` returns at once while the service keeps running.
 */
export function startDetachedProcess(spec: DetachedProcessSpec): DetachedProcess {
  const logFd = openSync(spec.logFile, 'w');
  let exitStatus: string | undefined;
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    child.on('exit', (code, signal) => {
      exitStatus = signal ? `killed by ${signal}` : `exit code ${code}`;
    });
    child.on('error', (error) => {
      exitStatus = `could not start: ${error.message}`;
    });
    child.unref();
    if (child.pid === undefined) {
      throw new LocalServiceError(
        `could not start ${spec.command}: the operating system gave it no process id`,
        `check that ${spec.command} exists and is executable, then read ${spec.logFile}`,
      );
    }
    const record: ServiceProcessRecord = {
      pid: child.pid,
      commandMarker: spec.commandMarker,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(spec.pidFile, `${JSON.stringify(record)}\n`);
    return { pid: child.pid, exitStatus: () => exitStatus };
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(logFd);
  }
}

/** Reads a pid file; undefined when there is none. A file this code cannot read is an error, not "no process". */
export function readProcessRecord(pidFile: string): ServiceProcessRecord | undefined {
  if (!existsSync(pidFile)) return undefined;
  const text = readFileSync(pidFile, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LocalServiceError(
      `the pid file ${pidFile} is not JSON (${(error as Error).message})`,
      `stop the service by hand if it still runs, then delete ${pidFile}`,
    );
  }
  if (!isProcessRecord(parsed)) {
    throw new LocalServiceError(
      `the pid file ${pidFile} does not hold {pid, commandMarker, startedAt}`,
      `stop the service by hand if it still runs, then delete ${pidFile}`,
    );
  }
  return parsed;
}

function isProcessRecord(value: unknown): value is ServiceProcessRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    Number.isInteger(record.pid) &&
    (record.pid as number) > 0 &&
    typeof record.commandMarker === 'string' &&
    typeof record.startedAt === 'string'
  );
}

/**
 * True when the recorded process still runs and is still the program that was started (its command
 * line contains the marker). `ps` works the same on Linux and macOS, unlike `/proc`.
 */
export async function isRecordedProcessAlive(record: ServiceProcessRecord): Promise<boolean> {
  if (!processExists(record.pid)) return false;
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'command=', '-p', String(record.pid)]);
    return stdout.includes(record.commandMarker);
  } catch (error) {
    // `ps -p` exits with 1 when the pid is gone, which races with the check above.
    if (isExitCode(error, 1)) return false;
    throw error;
  }
}

/** True when the pid file names a process that still runs (see {@link isRecordedProcessAlive}). */
export async function isServiceProcessRunning(pidFile: string): Promise<boolean> {
  const record = readProcessRecord(pidFile);
  return record !== undefined && (await isRecordedProcessAlive(record));
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to another user, so it is not ours.
    if (isErrnoCode(error, 'ESRCH') || isErrnoCode(error, 'EPERM')) return false;
    throw error;
  }
}

/** How {@link stopRecordedProcess} ended. */
export type StopOutcome = 'stopped' | 'killed' | 'not-running';

/**
 * Stops the process a pid file names: SIGTERM to its process group, then SIGKILL if it has not ended
 * within `graceMs` (Kafka's controlled shutdown flushes its logs first). Removes the pid file.
 */
export async function stopRecordedProcess(pidFile: string, graceMs: number): Promise<StopOutcome> {
  const record = readProcessRecord(pidFile);
  if (!record) return 'not-running';
  if (!(await isRecordedProcessAlive(record))) {
    rmSync(pidFile, { force: true });
    return 'not-running';
  }
  signalGroup(record.pid, 'SIGTERM');
  const ended = await waitFor(() => !processExists(record.pid), graceMs, 100);
  let outcome: StopOutcome = 'stopped';
  if (!ended) {
    signalGroup(record.pid, 'SIGKILL');
    await waitFor(() => !processExists(record.pid), 5_000, 50);
    outcome = 'killed';
  }
  rmSync(pidFile, { force: true });
  return outcome;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // The negative pid addresses the whole group: a service's helper processes end with it.
    process.kill(-pid, signal);
  } catch (error) {
    if (!isErrnoCode(error, 'ESRCH')) throw error;
  }
}

/** Polls `condition` until it holds or `timeoutMs` passes; answers whether it held. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** True when something accepts TCP connections on `host:port`. */
export function isPortAcceptingConnections(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const finish = (accepting: boolean) => {
      socket.destroy();
      resolve(accepting);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    // A refused or unreachable port is the answer "no", not a failure.
    socket.once('error', () => finish(false));
  });
}

/** The last `lineCount` lines of a log file, for error messages; empty when the file is missing. */
export function tailOfFile(file: string, lineCount: number): string {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines.slice(-lineCount).join('\n');
}

function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function isExitCode(error: unknown, code: number): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === code;
}

/** What waitUntilServiceAnswers needs to know about the service it waits for. */
export interface ServiceAnswerWait {
  /** How errors name it: `the Kafka broker`. */
  readonly service: string;
  readonly endpoint: string;
  readonly logFile: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Does the service answer on its endpoint now? */
  readonly answers: () => Promise<boolean>;
  /** Why the process ended, once it has; undefined while it runs (or when it was not started here). */
  readonly exitStatus: () => string | undefined;
  /** What to do when the process ended while starting. */
  readonly hintWhenExited: string;
  /** What to do when it did not answer in time. */
  readonly hintWhenSilent: string;
}

/**
 * Waits until a starting service answers, failing early, with the end of its log, if its process
 * ends first, and with a clear message if it stays silent past the timeout.
 */
export async function waitUntilServiceAnswers(wait: ServiceAnswerWait): Promise<void> {
  let exited: string | undefined;
  const answered = await waitFor(
    async () => {
      exited = wait.exitStatus();
      return exited !== undefined || (await wait.answers());
    },
    wait.timeoutMs,
    wait.intervalMs,
  );
  if (exited !== undefined) {
    throw new LocalServiceError(
      `${wait.service} for ${wait.endpoint} stopped while starting (${exited}); its log ${wait.logFile} ends with:\n${tailOfFile(wait.logFile, 15)}`,
      wait.hintWhenExited,
    );
  }
  if (!answered) {
    throw new LocalServiceError(
      `${wait.service} did not answer on ${wait.endpoint} within ${Math.round(wait.timeoutMs / 1000)} s`,
      wait.hintWhenSilent,
    );
  }
}

/** What {@link startRecordedService} needs to know about one service. */
export interface RecordedServiceLaunch {
  /** Where clients reach it. */
  readonly endpoint: string;
  readonly logFile: string;
  readonly pidFile: string;
  /** Whether something already answers on the endpoint as this service would. */
  readonly answers: () => Promise<boolean>;
  /**
   * Resolves once the service answers; throws, naming the log, when it does not in time or when
   * `exitStatus` reports that its process has ended.
   */
  readonly waitUntilAnswers: (exitStatus: () => string | undefined) => Promise<void>;
  /** Everything before the process starts (free ports, install, configuration); says how to start it. */
  readonly prepare: () => Promise<DetachedProcessSpec>;
  /** Told that the process was spawned and is being waited for. */
  readonly reportStarted: (pid: number) => void;
}

/**
 * The lifecycle both local services share: reuse a service that already answers; wait for one this
 * project started earlier that is still coming up, rather than start a second; otherwise prepare,
 * spawn detached, and wait until it answers.
 */
export async function startRecordedService(launch: RecordedServiceLaunch): Promise<ServiceStart> {
  const { endpoint, logFile } = launch;
  if (await launch.answers()) return { endpoint, startedNow: false, logFile };
  const previous = readProcessRecord(launch.pidFile);
  if (previous && (await isRecordedProcessAlive(previous))) {
    // Started earlier and still coming up (or hung): wait for it rather than start a second one.
    await launch.waitUntilAnswers(() => undefined);
    return { endpoint, startedNow: false, logFile, pid: previous.pid };
  }
  const spec = await launch.prepare();
  const startedAt = Date.now();
  const started = startDetachedProcess(spec);
  launch.reportStarted(started.pid);
  await launch.waitUntilAnswers(started.exitStatus);
  return { endpoint, startedNow: true, logFile, startMs: Date.now() - startedAt, pid: started.pid };
}
