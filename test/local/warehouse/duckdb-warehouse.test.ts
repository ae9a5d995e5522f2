import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { openDuckDbWarehouse } from '../../../local/warehouse/duckdb-warehouse.js';

/** The storage version DuckDB records for the attached file. */
async function storageVersionOf(path: string): Promise<unknown> {
  const warehouse = await openDuckDbWarehouse(path);
  try {
    const [row] = await warehouse.query<{ version: string }>(
      "SELECT tags['storage_version'] AS version FROM duckdb_databases() WHERE NOT internal AND database_name <> 'memory'",
    );
    return row?.version;
  } finally {
    await warehouse.close();
  }
}

describe('the embedded DuckDB warehouse file', () => {
  const folders: string[] = [];
  const aPath = () => {
    folders.push(mkdtempSync(join(tmpdir(), 'duckdb-warehouse-')));
    return join(folders.at(-1)!, 'warehouse.duckdb');
  };
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it('GIVEN no file WHEN the warehouse is opened THEN it creates one in DuckDB 1.5’s storage format, not the backward-compatible default', async () => {
    const path = aPath();

    expect(await storageVersionOf(path)).toBe('v1.5.0+');
  });

  it('GIVEN a file in DuckDB’s default (v0.10.2) format, as earlier versions of the project made WHEN the warehouse is opened and written THEN its rows are read and it keeps its format', async () => {
    const path = aPath();
    const older = await DuckDBInstance.create(path, { storage_compatibility_version: 'v0.10.2' });
    const connection = await older.connect();
    await connection.run("CREATE TABLE bronze_rows AS SELECT 'evt-1' AS event_id");
    connection.closeSync();
    older.closeSync();
    const formatBefore = await storageVersionOf(path);

    const warehouse = await openDuckDbWarehouse(path);
    try {
      await warehouse.execute("INSERT INTO bronze_rows VALUES ('evt-2')");
      expect(await warehouse.query('SELECT event_id FROM bronze_rows ORDER BY event_id')).toEqual([
        { event_id: 'evt-1' },
        { event_id: 'evt-2' },
      ]);
    } finally {
      await warehouse.close();
    }
    expect(formatBefore).not.toBe('v1.5.0+');
    expect(await storageVersionOf(path)).toBe(formatBefore);
  });

  it.each([
    'gold',
    'silver',
    'bronze',
  ])('GIVEN a warehouse file named %s.duckdb WHEN a table of the schema of that name is used THEN it resolves to the schema, not to the file', async (layer) => {
    const path = join(mkdtempSync(join(tmpdir(), 'duckdb-warehouse-')), `${layer}.duckdb`);
    folders.push(join(path, '..'));

    const warehouse = await openDuckDbWarehouse(path);
    try {
      await warehouse.execute(`CREATE SCHEMA IF NOT EXISTS ${layer}`);
      await warehouse.execute(`CREATE TABLE ${layer}.kpis AS SELECT 1 AS value`);

      expect(await warehouse.query(`SELECT value FROM ${layer}.kpis`)).toEqual([{ value: 1 }]);
    } finally {
      await warehouse.close();
    }
    const reopened = await openDuckDbWarehouse(path);
    try {
      expect(await reopened.query(`SELECT value FROM ${layer}.kpis`)).toEqual([{ value: 1 }]);
    } finally {
      await reopened.close();
    }
  });

  it('GIVEN rows of values WHEN executeMany runs a statement THEN it runs once per row, in order, and not at all for none', async () => {
    const warehouse = await openDuckDbWarehouse(aPath());
    try {
      await warehouse.execute('CREATE TABLE ledger (file_key VARCHAR, rows_in_file BIGINT, note VARCHAR)');
      await warehouse.executeMany('INSERT INTO ledger VALUES (?, ?, ?)', [
        ['bronze/a', 3, null],
        ['bronze/b', 2n ** 40n, 'big'],
      ]);
      await warehouse.executeMany('INSERT INTO ledger VALUES (?, ?, ?)', []);

      expect(await warehouse.query('SELECT * FROM ledger ORDER BY file_key')).toEqual([
        { file_key: 'bronze/a', rows_in_file: 3, note: null },
        { file_key: 'bronze/b', rows_in_file: 2 ** 40, note: 'big' },
      ]);
    } finally {
      await warehouse.close();
    }
  });
});
