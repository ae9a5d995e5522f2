import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { kafkaBrokerFiles } from '../../local/services/kafka-broker.js';
import { localStackStatus } from '../../local/services/local-stack.js';
import {
  readProcessRecord,
  startDetachedProcess,
  stopRecordedProcess,
} from '../../local/services/process-control.js';
import { freeLoopbackPorts } from '../support/free-ports.js';

function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Real processes (`sh`, `sleep`) stand in for the services: what is tested is the pid handling. */
describe('starting and stopping service processes', () => {
  let workDir: string;
  const leftRunning: number[] = [];

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'spotify-pipeline-process-'));
    vi.stubEnv('SPOTIFY_PIPELINE_CACHE', workDir);
  });

  afterEach(() => {
    for (const pid of leftRunning.splice(0)) if (isProcessRunning(pid)) process.kill(pid, 'SIGKILL');
    vi.unstubAllEnvs();
    rmSync(workDir, { recursive: true, force: true });
  });

  test('GIVEN a started process WHEN stopped THEN SIGTERM ends it and its pid file is removed', async () => {
    // Prepare: a shell (command line contains the marker) with a child of its own.
    const pidFile = join(workDir, 'service.pid');
    const started = startDetachedProcess({
      command: 'sh',
      args: ['-c', 'echo ready; sleep 60', 'fake-service-marker'],
      logFile: join(workDir, 'service.log'),
      pidFile,
      commandMarker: 'fake-service-marker',
    });
    leftRunning.push(started.pid);
    expect(readProcessRecord(pidFile)).toMatchObject({
      pid: started.pid,
      commandMarker: 'fake-service-marker',
    });

    // Act
    const outcome = await stopRecordedProcess(pidFile, 10_000);

    // Assess
    expect(outcome).toBe('stopped');
    expect(isProcessRunning(started.pid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
    expect(readFileSync(join(workDir, 'service.log'), 'utf8')).toBe('ready\n');
  });

  test('GIVEN a process that ignores SIGTERM WHEN stopped THEN it is killed after the grace period', async () => {
    // Prepare
    const pidFile = join(workDir, 'stubborn.pid');
    const started = startDetachedProcess({
      command: 'sh',
      args: ['-c', 'trap "" TERM; while :; do sleep 0.1; done', 'stubborn-marker'],
      logFile: join(workDir, 'stubborn.log'),
      pidFile,
      commandMarker: 'stubborn-marker',
    });
    leftRunning.push(started.pid);

    // Act
    const outcome = await stopRecordedProcess(pidFile, 500);

    // Assess
    expect(outcome).toBe('killed');
    expect(isProcessRunning(started.pid)).toBe(false);
  });

  test('GIVEN a pid file whose pid now belongs to another program WHEN stopped THEN that program is left alone', async () => {
    // Prepare: a live process whose command line lacks the recorded marker (a reused pid).
    const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
    const unrelatedPid = unrelated.pid!;
    leftRunning.push(unrelatedPid);
    const pidFile = join(workDir, 'stale.pid');
    writeFileSync(
      pidFile,
      JSON.stringify({
        pid: unrelatedPid,
        commandMarker: 'kafka.Kafka',
        startedAt: new Date().toISOString(),
      }),
    );

    // Act
    const outcome = await stopRecordedProcess(pidFile, 1_000);

    // Assess
    expect(outcome).toBe('not-running');
    expect(isProcessRunning(unrelatedPid)).toBe(true);
    expect(existsSync(pidFile)).toBe(false);
    unrelated.kill('SIGKILL');
  });

  test('GIVEN a broker process that runs but does not answer WHEN status is asked THEN kafka is "unresponsive"', async () => {
    // Prepare: a process recorded as the broker of a free port, which listens on nothing.
    const [kafkaPort, s3Port] = await freeLoopbackPorts(2);
    const files = kafkaBrokerFiles(kafkaPort!);
    const silent = startDetachedProcess({
      command: 'sh',
      args: ['-c', 'sleep 60', 'kafka.Kafka'],
      logFile: files.logFile,
      pidFile: files.pidFile,
      commandMarker: 'kafka.Kafka',
    });
    leftRunning.push(silent.pid);

    // Act
    const statuses = await localStackStatus({ kafkaPort, s3Port });

    // Assess
    expect(statuses.map((status) => status.state)).toEqual(['unresponsive', 'stopped']);
    expect(await stopRecordedProcess(files.pidFile, 5_000)).toBe('stopped');
  });
});
