import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../bin/cli/main.js';
import { generateEventLines } from '../../../lambdas/producer/generator/generate-events.js';
import { parseListeningEventJson } from '../../../lambdas/shared/event-contract/validate-listening-event.js';
import { CLI_PATH, runCli } from '../../support/run-cli.js';

describe('spotify-pipeline --help', () => {
  it('GIVEN the program and each of its commands WHEN asked for --help THEN each prints its usage and exits 0', async () => {
    const commands = buildProgram().commands.map((command) => command.name());
    expect(commands).toContain('generate');
    for (const args of [['--help'], ...commands.map((name) => [name, '--help'])]) {
      const run = await runCli(args);
      expect({ args, exitCode: run.exitCode }).toEqual({ args, exitCode: 0 });
      expect(run.stdout).toMatch(/^Usage: spotify-pipeline/);
    }
  });
});

describe('spotify-pipeline generate', () => {
  it('GIVEN seed 7 and 100,000 events WHEN run twice THEN the bytes are identical and every line passes the contract', async () => {
    const first = await runCli(['generate', '--seed', '7', '--count', '100000']);
    const second = await runCli(['generate', '--seed', '7', '--count', '100000']);
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout === second.stdout).toBe(true);
    const lines = first.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(100_000);
    const invalid = lines.filter((line) => !parseListeningEventJson(line).ok);
    expect(invalid).toEqual([]);
  });

  it('GIVEN options WHEN run THEN the output is exactly what the library generates', async () => {
    const run = await runCli([
      'generate',
      '--seed',
      '3',
      '--count',
      '500',
      '--users',
      '40',
      '--songs',
      '12',
      '--faults',
      '0.2',
    ]);
    const expected = [...generateEventLines({ seed: 3, count: 500, users: 40, songs: 12, faultRate: 0.2 })];
    expect(run.stdout).toBe(`${expected.map((line) => line.text).join('\n')}\n`);
  });

  it('GIVEN --out WHEN run THEN the file holds what stdout would have', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'generate-')), 'events.ndjson');
    const toFile = await runCli(['generate', '--seed', '5', '--count', '3000', '--out', out]);
    const toStdout = await runCli(['generate', '--seed', '5', '--count', '3000']);
    expect(toFile).toMatchObject({ exitCode: 0, stdout: '' });
    expect(readFileSync(out, 'utf8')).toBe(toStdout.stdout);
  });

  it('GIVEN --start with an offset WHEN run THEN the first event happens at that instant', async () => {
    const run = await runCli([
      'generate',
      '--seed',
      '1',
      '--count',
      '1',
      '--start',
      '2026-05-01T12:00:00+02:00',
    ]);
    const result = parseListeningEventJson(run.stdout.trim());
    expect(result.ok && result.event.timestamp).toBe('2026-05-01T10:00:00.000Z');
  });

  it.each([
    [['generate', '--count', '5'], /required option '--seed <n>' not specified/],
    [['generate', '--seed', '1'], /required option '--count <n>' not specified/],
    [['generate', '--seed', '1', '--count', '5x'], /--count "5x" is not a whole number\n {2}what to do: /],
    [
      ['generate', '--seed', '1', '--count', '5', '--users', '0'],
      /--users: users must be a whole number from 1/,
    ],
    [['generate', '--seed', '1', '--count', '5', '--faults', '2'], /--faults "2" is not a share from 0 to 1/],
    [
      ['generate', '--seed', '1', '--count', '5', '--start', '2026-01-01T00:00:00'],
      /--start "2026-01-01T00:00:00" has no time zone/,
    ],
    [
      ['generate', '--seed', '1', '--count', '5', '--out', '/no/such/folder/x.ndjson'],
      /cannot write --out \/no\/such\/folder\/x.ndjson \(ENOENT\)/,
    ],
    [['no-such-command'], /unknown command 'no-such-command'/],
  ])('GIVEN %j WHEN run THEN it exits 2 with a message on stderr and nothing on stdout', async (args, message) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('GIVEN a reader that goes away after one line WHEN a long run is under way THEN it stops quietly with exit 0', async () => {
    const child = spawn(process.execPath, [CLI_PATH, 'generate', '--seed', '1', '--count', '50000000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
  });
});
