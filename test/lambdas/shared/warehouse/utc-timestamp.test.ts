import { describe, expect, it } from 'vitest';
import { openSnowflakeWarehouse } from '../../../../lambdas/shared/warehouse/snowflake-warehouse.js';
import {
  DEFAULT_SQL_DIR,
  readDuckDbCompatibilitySql,
} from '../../../../lambdas/shared/warehouse/sql-files.js';
import { utcIsoTimestamp } from '../../../../lambdas/shared/warehouse/utc-timestamp.js';
import { openDuckDbWarehouse } from '../../../../local/warehouse/duckdb-warehouse.js';
import { aPrivateKeyPem } from '../../../support/fake-snowflake-server.js';
import { SnowflakeOverDuckDb } from '../../../support/snowflake-over-duckdb.js';

const QUERY = "SELECT CAST('2026-01-08 00:05:00.250' AS TIMESTAMP) AS loaded_at";

describe('utcIsoTimestamp: a TIMESTAMP_NTZ as the drivers give it, as ISO-8601 UTC', () => {
  it('GIVEN the time DuckDB gives WHEN written THEN it is ISO-8601 UTC', async () => {
    const warehouse = await openDuckDbWarehouse(':memory:', readDuckDbCompatibilitySql(DEFAULT_SQL_DIR));
    try {
      const [row] = await warehouse.query(QUERY);

      expect(utcIsoTimestamp(row?.loaded_at, 'loaded_at')).toBe('2026-01-08T00:05:00.250Z');
    } finally {
      await warehouse.close();
    }
  });

  it('GIVEN the time snowflake-sdk gives, whose JSON follows the session’s output format WHEN written THEN it is ISO-8601 UTC', async () => {
    const endpoint = await SnowflakeOverDuckDb.open(':memory:');
    try {
      const warehouse = await openSnowflakeWarehouse({
        account: 'myorg-myaccount',
        username: 'PIPELINE_SQL_RUNNER',
        privateKey: aPrivateKeyPem(),
        warehouse: 'PIPELINE_WH',
        database: 'SPOTIFY',
        role: 'PIPELINE_ROLE',
        accessUrl: await endpoint.start(),
      });
      const [row] = await warehouse.query(QUERY);
      await warehouse.close();

      // Serialised as it is, it would not be what it holds (here: without its milliseconds).
      expect(row?.loaded_at).toBeInstanceOf(Date);
      expect(JSON.stringify(row?.loaded_at)).not.toBe('"2026-01-08T00:05:00.250Z"');
      expect(utcIsoTimestamp(row?.loaded_at, 'loaded_at')).toBe('2026-01-08T00:05:00.250Z');
    } finally {
      await endpoint.stop();
    }
  });

  it.each([
    ['2026-01-08 00:05:00', '2026-01-08T00:05:00.000Z'],
    ['2026-01-08 00:05:00.250', '2026-01-08T00:05:00.250Z'],
    ['2026-01-08 00:05:00.250123456', '2026-01-08T00:05:00.250Z'],
    ['2026-01-08T00:05:00Z', '2026-01-08T00:05:00.000Z'],
    ['2026-01-08T01:05:00+01:00', '2026-01-08T00:05:00.000Z'],
  ])('GIVEN the text %s (a driver fetching times as text) WHEN written THEN it is %s: no zone is UTC', (text, iso) => {
    expect(utcIsoTimestamp(text, 'loaded_at')).toBe(iso);
  });

  it('GIVEN NULL WHEN written THEN it is null', () => {
    expect(utcIsoTimestamp(null, 'loaded_at')).toBeNull();
    expect(utcIsoTimestamp(undefined, 'loaded_at')).toBeNull();
  });

  it.each<[unknown, string]>([
    ['yesterday', '"yesterday"'],
    ['2026-01-08', '"2026-01-08"'],
    ['2026-13-08 00:05:00', '"2026-13-08 00:05:00"'],
    [1767830700, '"1767830700"'],
    [new Date(Number.NaN), '"Invalid Date"'],
  ])('GIVEN %s, which is no timestamp WHEN written THEN the error names the column and the value', (value, shown) => {
    expect(() => utcIsoTimestamp(value, 'sql/silver/pending_work.sql, oldest_pending_load_at')).toThrow(
      `sql/silver/pending_work.sql, oldest_pending_load_at: ${shown} is not a timestamp; expected a TIMESTAMP_NTZ column`,
    );
  });
});
