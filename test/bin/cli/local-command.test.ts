import { describe, expect, test } from 'vitest';
import { runCli } from '../../support/run-cli.js';

// These runs fail while reading their options, before any service is probed or started.
// Usage errors exit 2, as every command's do (README: the command-line tool).
describe('spotify-pipeline local: port options', () => {
  test('GIVEN a port variable that is not a number WHEN status runs THEN it names the variable and the value', async () => {
    // Act
    const run = await runCli(['local', 'status'], { SPOTIFY_PIPELINE_KAFKA_PORT: 'abc' });

    // Assess
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      "error: option '--kafka-port <port>' value 'abc' from env 'SPOTIFY_PIPELINE_KAFKA_PORT' is invalid. A port is a whole number from 1 to 65535.",
    );
  });

  test('GIVEN an out-of-range --s3-port WHEN up runs THEN it names the option and starts nothing', async () => {
    // Act
    const run = await runCli(['local', 'up', '--s3-port', '70000']);

    // Assess
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      "error: option '--s3-port <port>' argument '70000' is invalid. A port is a whole number from 1 to 65535.",
    );
  });
});
