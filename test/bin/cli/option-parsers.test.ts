import { describe, expect, it } from 'vitest';
import { CliError } from '../../../bin/cli/cli-error.js';
import { parseBucketName, parseOffsetRange } from '../../../bin/cli/option-parsers.js';
import { warehouseWaitMs } from '../../../bin/cli/warehouse-option.js';

describe('parseBucketName: the names S3 accepts for a general-purpose bucket, checked before any request', () => {
  it.each([
    'spotify-lake',
    'abc',
    'lake.2026.events',
    `a${'b'.repeat(61)}c`,
  ])('GIVEN %s THEN it is kept', (name) => {
    expect(parseBucketName(name)).toBe(name);
  });

  it.each([
    ['b', /3 to 63 lower-case letters/],
    ['Spotify-Lake', /3 to 63 lower-case letters/],
    ['spotify_lake', /3 to 63 lower-case letters/],
    [`a${'b'.repeat(62)}c`, /3 to 63 lower-case letters/],
    ['-lake', /begins and ends with a letter or a digit/],
    ['lake.', /begins and ends with a letter or a digit/],
    ['lake..events', /no two dots in a row/],
    ['192.168.5.4', /not an IP address/],
    ['xn--lake', /reserved by S3/],
    ['lake-s3alias', /reserved by S3/],
  ])('GIVEN %s THEN it is refused, saying which rule, as a usage error', (name, rule) => {
    let refusal: unknown;
    try {
      parseBucketName(name);
    } catch (error) {
      refusal = error;
    }

    expect(refusal).toBeInstanceOf(CliError);
    expect((refusal as CliError).message).toMatch(
      new RegExp(`^--bucket ${name.replace(/\./g, '\\.')}: S3 refuses the name: `),
    );
    expect((refusal as CliError).message).toMatch(rule);
    expect((refusal as CliError).exitCode).toBe(2);
  });
});

describe('warehouseWaitMs: how long a command waits for another that holds the warehouse file', () => {
  it('GIVEN nothing set THEN ten minutes; GIVEN seconds THEN those; GIVEN 0 THEN none', () => {
    expect(warehouseWaitMs({})).toBe(600_000);
    expect(warehouseWaitMs({ SPOTIFY_PIPELINE_WAREHOUSE_WAIT_SECONDS: '5' })).toBe(5_000);
    expect(warehouseWaitMs({ SPOTIFY_PIPELINE_WAREHOUSE_WAIT_SECONDS: '0' })).toBe(0);
  });

  it('GIVEN something that is not whole seconds THEN a usage error naming the variable', () => {
    expect(() => warehouseWaitMs({ SPOTIFY_PIPELINE_WAREHOUSE_WAIT_SECONDS: '1m' })).toThrow(
      /^SPOTIFY_PIPELINE_WAREHOUSE_WAIT_SECONDS is "1m": it is a whole number of seconds$/,
    );
  });
});

describe('parseOffsetRange: an offset range as the audit names a lost one', () => {
  it.each([
    [
      'spotify-events:0:1200-1350',
      { topic: 'spotify-events', partition: 0, firstOffset: 1200, lastOffset: 1350 },
    ],
    [
      'spotify-events:3:1,200-1,350',
      { topic: 'spotify-events', partition: 3, firstOffset: 1200, lastOffset: 1350 },
    ],
    ['events_2.v1:12:7', { topic: 'events_2.v1', partition: 12, firstOffset: 7, lastOffset: 7 }],
  ])('GIVEN %s THEN that range', (text, range) => {
    expect(parseOffsetRange(text)).toEqual(range);
  });

  it.each([
    'spotify-events:0:1350-1200',
    'spotify-events:0',
    'spotify-events:x:1-2',
    'spotify events:0:1-2',
    'spotify-events:0:1-2:3',
    'spotify-events:0:-2',
  ])('GIVEN %s THEN a usage error saying the form, with an example', (text) => {
    expect(() => parseOffsetRange(text)).toThrow(
      expect.objectContaining({
        message: `--offsets "${text}" is not <topic>:<partition>:<first offset>-<last offset>`,
      }),
    );
  });
});
