import { afterEach, describe, expect, it } from 'vitest';
import { openSnowflakeWarehouse } from '../../../../lambdas/shared/warehouse/snowflake-warehouse.js';
import { aPrivateKeyPem, FakeSnowflakeServer } from '../../../support/fake-snowflake-server.js';
import { SnowflakeOverDuckDb } from '../../../support/snowflake-over-duckdb.js';

const settings = (accessUrl: string) => ({
  account: 'myorg-myaccount',
  username: 'PIPELINE_LOADER',
  privateKey: aPrivateKeyPem(),
  warehouse: 'PIPELINE_WH',
  database: 'SPOTIFY',
  role: 'PIPELINE_ROLE',
  accessUrl,
});

describe('the Snowflake adapter, against a server that speaks the driver protocol, records statements and (where results matter) runs them on DuckDB', () => {
  let server: FakeSnowflakeServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('GIVEN key-pair settings WHEN it connects and queries THEN it logs in with a JWT, binds values in order and lower-cases column names', async () => {
    const endpoint = await SnowflakeOverDuckDb.open(':memory:');
    server = endpoint.server;
    const warehouse = await openSnowflakeWarehouse(settings(await endpoint.start()));
    try {
      await warehouse.execute('CREATE SCHEMA bronze');
      await warehouse.execute('CREATE TABLE bronze.load_ledger (file_key VARCHAR, rows_in_file BIGINT)');
      await warehouse.execute("INSERT INTO bronze.load_ledger VALUES ('bronze/a', 3), ('bronze/b', 4)");
      const rows = await warehouse.query(
        'SELECT file_key, rows_in_file FROM bronze.load_ledger WHERE file_key >= ? AND file_key < ?',
        ['a', 'bronze/b'],
      );
      expect(server.logins).toEqual([{ user: 'PIPELINE_LOADER', authenticator: 'SNOWFLAKE_JWT' }]);
      // Before anything else: loaded_at from CURRENT_TIMESTAMP must not step back when a local clock does.
      expect(server.sqlSent()[0]).toBe("ALTER SESSION SET TIMEZONE = 'UTC'");
      expect(server.statements.at(-1)).toEqual({
        sql: 'SELECT file_key, rows_in_file FROM bronze.load_ledger WHERE file_key >= ? AND file_key < ?',
        binds: ['a', 'bronze/b'],
      });
      // Column names folded to lower case; values typed as Snowflake types them (a BIGINT is a NUMBER).
      expect(rows).toEqual([{ file_key: 'bronze/a', rows_in_file: 3 }]);
    } finally {
      await warehouse.close();
      await endpoint.stop();
      server = undefined;
    }
  });

  it('GIVEN work in a transaction WHEN it fails THEN the adapter sends BEGIN, the work and ROLLBACK, and COMMIT otherwise', async () => {
    server = new FakeSnowflakeServer();
    const warehouse = await openSnowflakeWarehouse(settings(await server.start()));
    try {
      await warehouse.inTransaction(async () => warehouse.execute('DELETE FROM bronze.load_staging'));
      await expect(
        warehouse.inTransaction(async () => {
          await warehouse.execute('DELETE FROM bronze.load_staging');
          throw new Error('the MERGE failed');
        }),
      ).rejects.toThrow('the MERGE failed');
      expect(server.sqlSent()).toEqual([
        "ALTER SESSION SET TIMEZONE = 'UTC'",
        'BEGIN',
        'DELETE FROM bronze.load_staging',
        'COMMIT',
        'BEGIN',
        'DELETE FROM bronze.load_staging',
        'ROLLBACK',
      ]);
    } finally {
      await warehouse.close();
    }
  });

  it('GIVEN more rows than one request carries WHEN executeMany runs THEN it sends them column-wise in as few requests as fit, bigints and nulls as the driver sends them', async () => {
    server = new FakeSnowflakeServer();
    const warehouse = await openSnowflakeWarehouse(settings(await server.start()));
    try {
      // 4 values a row: 12,500 rows fill one request's 50,000 values.
      const rows = Array.from({ length: 12_501 }, (_, index) => [
        `bronze/${index}`,
        BigInt(index),
        index === 0 ? null : 'reason',
        1.5,
      ]);
      const sql = 'INSERT INTO bronze.load_rejects (file_key, line_number, reason, x) VALUES (?, ?, ?, ?)';
      await warehouse.executeMany(sql, rows);
      await warehouse.executeMany(sql, []);

      const sent = server.statements.filter((statement) => statement.sql === sql);
      expect(sent).toHaveLength(2);
      const [first, second] = sent.map((statement) => statement.binds as unknown[][]);
      expect(first!.map((column) => column.length)).toEqual([12_500, 12_500, 12_500, 12_500]);
      expect(first!.map((column) => column.slice(0, 2))).toEqual([
        ['bronze/0', 'bronze/1'],
        ['0', '1'],
        [null, 'reason'],
        ['1.5', '1.5'],
      ]);
      expect(second).toEqual([['bronze/12500'], ['12500'], ['reason'], ['1.5']]);
    } finally {
      await warehouse.close();
    }
  });
});
