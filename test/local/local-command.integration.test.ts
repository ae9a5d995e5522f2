import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { kafkaBrokerFiles } from '../../local/services/kafka-broker.js';
import { s3ServerFiles } from '../../local/services/s3-server.js';
import { freeLocalStackPorts, freeLoopbackPorts } from '../support/free-ports.js';
import { type CliRun, runCli } from '../support/run-cli.js';

/**
 * These tests run the CLI on ports of their own, never on the stack the other integration tests
 * share: stopping that one here would pull it from under them.
 */
describe('spotify-pipeline local up | status | down', () => {
  let kafkaPort: number;
  let s3Port: number;
  let portOptions: string[];

  beforeAll(async () => {
    const ports = await freeLocalStackPorts();
    kafkaPort = ports.kafkaPort;
    s3Port = ports.s3Port;
    // The docker-free engine is what this test is about, also on a machine where Docker answers.
    portOptions = ['--engine', 'native', ...ports.portOptions];
  });

  afterAll(async () => {
    // Whatever a failed assertion left running; then the per-port state folders of these ports.
    await runCli(['local', 'down', ...portOptions]);
    rmSync(kafkaBrokerFiles(kafkaPort).stateDir, { recursive: true, force: true });
    rmSync(s3ServerFiles(s3Port).stateDir, { recursive: true, force: true });
  });

  const local = (command: string): Promise<CliRun> => runCli(['local', command, ...portOptions]);

  test('status prints one "name endpoint state [served by]" line per service, and both are stopped before up', async () => {
    // Act
    const status = await local('status');

    // Assess
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toBe(
      `kafka 127.0.0.1:${kafkaPort} stopped\ns3 http://127.0.0.1:${s3Port} stopped\n`,
    );
  });

  test('up starts both services, a second up reuses them, down stops them, and up starts them again', async () => {
    // Act & Assess: first up.
    const firstUp = await local('up');
    expect(firstUp.exitCode, firstUp.stderr).toBe(0);
    expect(firstUp.stdout).toMatch(
      new RegExp(`^kafka 127\\.0\\.0\\.1:${kafkaPort} started \\(pid \\d+`, 'm'),
    );
    expect(firstUp.stdout).toMatch(
      new RegExp(`^s3 http://127\\.0\\.0\\.1:${s3Port} started \\(pid \\d+`, 'm'),
    );
    const firstPids = startedPids(firstUp.stdout);
    expect(firstPids).toHaveLength(2);
    expect((await local('status')).stdout).toBe(
      `kafka 127.0.0.1:${kafkaPort} running native\ns3 http://127.0.0.1:${s3Port} running native\n`,
    );

    // Act & Assess: up again is idempotent.
    const secondUp = await local('up');
    expect(secondUp.exitCode, secondUp.stderr).toBe(0);
    expect(secondUp.stdout).toBe(
      `kafka 127.0.0.1:${kafkaPort} already running\ns3 http://127.0.0.1:${s3Port} already running\n`,
    );

    // Act & Assess: down stops the processes that up started.
    const down = await local('down');
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toBe(`kafka 127.0.0.1:${kafkaPort} stopped\ns3 http://127.0.0.1:${s3Port} stopped\n`);
    for (const pid of firstPids) expect(isProcessRunning(pid), `pid ${pid} after down`).toBe(false);
    expect((await local('status')).stdout).toBe(
      `kafka 127.0.0.1:${kafkaPort} stopped\ns3 http://127.0.0.1:${s3Port} stopped\n`,
    );

    // Act & Assess: a second down has nothing left to stop.
    const secondDown = await local('down');
    expect(secondDown.stdout).toMatch(/^kafka .* has no process started by `local up`; nothing to stop$/m);

    // Act & Assess: up after down starts fresh processes on the same, formatted data folder.
    const upAgain = await local('up');
    expect(upAgain.exitCode, upAgain.stderr).toBe(0);
    const secondPids = startedPids(upAgain.stdout);
    expect(secondPids).toHaveLength(2);
    expect(secondPids.some((pid) => firstPids.includes(pid))).toBe(false);
    expect((await local('status')).stdout).toBe(
      `kafka 127.0.0.1:${kafkaPort} running native\ns3 http://127.0.0.1:${s3Port} running native\n`,
    );
    expect((await local('down')).exitCode).toBe(0);
  });

  test('up refuses a Kafka port that another program holds, naming the port and what to do', async () => {
    // Prepare: something that accepts connections on the Kafka port but does not speak Kafka.
    const [takenPort, controllerPort, otherS3Port] = await freeLoopbackPorts(3);
    const stopSquatter = await listenSilently(takenPort!);
    const options = [
      '--engine',
      'native',
      '--kafka-port',
      String(takenPort),
      '--kafka-controller-port',
      String(controllerPort),
      '--s3-port',
      String(otherS3Port),
    ];

    try {
      // Act
      const up = await runCli(['local', 'up', ...options]);

      // Assess: a CliError (exit code 2), what and where on one line, what to do on the next.
      expect(up.exitCode).toBe(2);
      expect(up.stderr).toContain(
        `spotify-pipeline: port ${takenPort} on 127.0.0.1 (Kafka client (PLAINTEXT) listener) is taken by a program that is not a Kafka broker`,
      );
      expect(up.stderr).toMatch(/what to do: stop that program .* or choose another port with --kafka-port/);
      // The S3 server started beside it keeps running, and the message says so.
      expect(up.stderr).toContain(`still running: s3 on http://127.0.0.1:${otherS3Port}`);
    } finally {
      await runCli(['local', 'down', ...options]);
      await stopSquatter();
      rmSync(kafkaBrokerFiles(takenPort!).stateDir, { recursive: true, force: true });
      rmSync(s3ServerFiles(otherS3Port!).stateDir, { recursive: true, force: true });
    }
  });
});

function startedPids(upOutput: string): number[] {
  return [...upOutput.matchAll(/started \(pid (\d+)/g)].map((match) => Number(match[1]));
}

function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** A TCP server that accepts connections and never answers; resolves to a function that stops it. */
async function listenSilently(port: number): Promise<() => Promise<void>> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return () => {
    // close() waits for open connections to end, and these never end on their own.
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
