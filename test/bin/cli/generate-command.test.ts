import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
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

  it('GIVEN --anomaly twice WHEN run THEN the output is what the library generates with both shifts, and the first song is skipped far more on its day', async () => {
    // Prepare
    const shifts = [
      { songId: 'song_000003', day: '2026-01-03', skipRate: 0.95 },
      { songId: 'song_000010', day: '2026-01-04', skipRate: 0.9 },
    ];
    const options = { seed: 5, count: 27_000, users: 200, songs: 20 };

    // Act
    const run = await runCli([
      'generate',
      ...['--seed', '5', '--count', '27000', '--users', '200', '--songs', '20'],
      ...['--anomaly', 'song_000003:2026-01-03:0.95', '--anomaly', 'song_000010:2026-01-04:0.9'],
    ]);

    // Assess
    expect({ exitCode: run.exitCode, stderr: run.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const expected = [...generateEventLines({ ...options, skipRateShifts: shifts })];
    expect(run.stdout === `${expected.map((line) => line.text).join('\n')}\n`).toBe(true);
    const unshifted = [...generateEventLines(options)].map((line) => line.text).join('\n');
    expect(run.stdout.startsWith(unshifted)).toBe(false);
    const counts = { plays: 0, skips: 0 };
    for (const line of run.stdout.trimEnd().split('\n')) {
      const result = parseListeningEventJson(line);
      if (!result.ok || result.event.song_id !== 'song_000003') continue;
      if (!new Date(result.event.timestamp).toISOString().startsWith('2026-01-03')) continue;
      if (result.event.event_type === 'play') counts.plays++;
      if (result.event.event_type === 'skip') counts.skips++;
    }
    expect(counts.plays).toBeGreaterThan(500);
    expect(counts.skips / counts.plays).toBeGreaterThanOrEqual(0.8);
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
    [
      ['generate', '--seed', '1', '--count', '5', '--anomaly', 'song_000003:2026-01-10'],
      /^spotify-pipeline: --anomaly "song_000003:2026-01-10" is not SONG_ID:DAY:RATE\n {2}what to do: e\.g\. --anomaly song_000003:2026-01-10:0\.9 /,
    ],
    [
      ['generate', '--seed', '1', '--count', '5', '--anomaly', 'song_000003:2026-01-10:high'],
      /^spotify-pipeline: --anomaly "song_000003:2026-01-10:high": the rate "high" is not a number\n/,
    ],
    [
      ['generate', '--seed', '1', '--count', '5', '--anomaly', 'song_000099:2026-01-10:0.9'],
      /^spotify-pipeline: --anomaly: skip-rate shift song "song_000099" is not in the catalogue of 6 songs; give one of song_000001 to song_000006\n/,
    ],
    [
      ['generate', '--seed', '1', '--count', '5', '--anomaly', 'song_000001:2026-01-10:1.5'],
      /^spotify-pipeline: --anomaly: skip-rate shift rate 1.5 for song_000001 on 2026-01-10 is not a share from 0 to 1/,
    ],
    [['no-such-command'], /unknown command 'no-such-command'/],
  ])('GIVEN %j WHEN run THEN it exits 2 with a message on stderr and nothing on stdout', async (args, message) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('GIVEN a reader that goes away after one line WHEN a long run is under way THEN it stops quietly with exit 0', async () => {
    const child = spawn(inject('cliNode'), [CLI_PATH, 'generate', '--seed', '1', '--count', '50000000'], {
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
