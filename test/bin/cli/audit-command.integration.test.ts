import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditReport } from '../../../bin/cli/audit/run-audit.js';
import { DEFAULT_SQL_DIR, readDuckDbCompatibilitySql } from '../../../lambdas/shared/warehouse/sql-files.js';
import { type DemoRun, runDemo } from '../../../local/demo/run-demo.js';
import { openDuckDbWarehouse } from '../../../local/warehouse/duckdb-warehouse.js';
import { localS3 } from '../../support/local-clients.js';
import { runCli } from '../../support/run-cli.js';

describe('spotify-pipeline audit, on the real local services', () => {
  let run: DemoRun;
  let workDir: string;
  const s3Endpoint = inject('s3Endpoint');

  const audit = async (warehousePath: string) => {
    const result = await runCli([
      'audit',
      '--brokers',
      inject('kafkaBrokers'),
      '--topic',
      run.topic,
      '--group',
      run.groupId,
      '--bucket',
      run.bucket,
      '--s3-endpoint',
      s3Endpoint,
      '--warehouse',
      `duckdb:${warehousePath}`,
      '--format',
      'json',
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    return { exitCode: result.exitCode, report: JSON.parse(result.stdout) as AuditReport };
  };

  /** A copy of the run's warehouse, changed by `change` behind the pipeline. */
  const tampered = async (name: string, change: string[]): Promise<string> => {
    const path = join(workDir, `${name}.duckdb`);
    copyFileSync(run.warehousePath, path);
    const warehouse = await openDuckDbWarehouse(path, readDuckDbCompatibilitySql(DEFAULT_SQL_DIR));
    try {
      for (const statement of change) await warehouse.execute(statement);
    } finally {
      await warehouse.close();
    }
    return path;
  };

  const firstRow = async (sql: string): Promise<Record<string, unknown>> => {
    const warehouse = await openDuckDbWarehouse(
      run.warehousePath,
      readDuckDbCompatibilitySql(DEFAULT_SQL_DIR),
    );
    try {
      return (await warehouse.query(sql))[0]!;
    } finally {
      await warehouse.close();
    }
  };

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'audit-'));
    run = await runDemo({
      events: 3_000,
      seed: 29,
      faultRate: 0.08,
      kafkaBrokers: inject('kafkaBrokers'),
      s3Endpoint,
      workDir,
    });
  }, 180_000);

  it('GIVEN the pipeline run end to end with faults THEN every offset is accounted for, every layer adds up, and it exits 0', async () => {
    const { exitCode, report } = await audit(run.warehousePath);

    expect(exitCode).toBe(0);
    expect(report.unexplained).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.offsets.map((p) => p.unaccounted)).toEqual(report.offsets.map(() => 0));
    // Every record produced is one committed offset, and each is in one place.
    const offsets = report.offsets.reduce((total, p) => total + p.to - p.from + 1, 0);
    expect(offsets).toBe(run.eventsProduced);
    expect(report.offsets.reduce((total, p) => total + p.accounted, 0)).toBe(run.eventsProduced);
    const { layers } = report;
    expect(layers.lake_events + layers.quarantined + layers.repeats_in_batch).toBe(run.eventsProduced);
    expect(layers.quarantined).toBe(run.recordsQuarantined);
    expect(layers.bronze_rows).toBe(run.rowsLoaded);
    expect(layers.silver_rows + layers.silver_rejects).toBe(layers.bronze_rows);
    expect(layers.lake_events_loaded).toBe(
      layers.bronze_rows + layers.load_rejects + layers.duplicate_copies,
    );
    expect(layers.repeats_in_batch).toBeGreaterThan(0);
  });

  it('GIVEN one loaded lake object deleted THEN it names that object, its offsets as unaccounted and its lines as unexplained, and exits 1', async () => {
    const { file_key: key, rows_in_file: lines } = await firstRow(
      'SELECT file_key, rows_in_file FROM bronze.load_ledger WHERE rows_in_file > 1 ORDER BY file_key LIMIT 1',
    );
    const s3 = localS3();
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: run.bucket, Key: String(key) }))
    ).Body!.transformToByteArray();
    await s3.send(new DeleteObjectCommand({ Bucket: run.bucket, Key: String(key) }));
    try {
      const { exitCode, report } = await audit(run.warehousePath);

      expect(exitCode).toBe(1);
      const partition = Number(/\+(\d+)\+\d{20}-\d{20}\.ndjson\.gz$/.exec(String(key))![1]);
      expect(report.offsets.filter((p) => p.unaccounted > 0)).toEqual([
        expect.objectContaining({ partition, unaccounted: Number(lines) }),
      ]);
      const problems = report.offsets.find((p) => p.partition === partition)!.problems;
      expect(new Set(problems.map((problem) => problem.problem))).toEqual(
        new Set([`in ${key}, which is not in the lake`]),
      );
      expect(report.findings).toEqual([
        {
          layer: 'lake',
          problem: `${key} was loaded (${lines} lines) and is no longer in the lake`,
          records: Number(lines),
        },
      ]);
      expect(report.unexplained).toBe(Number(lines));
    } finally {
      await s3.send(
        new PutObjectCommand({
          Bucket: run.bucket,
          Key: String(key),
          Body: body,
          ContentType: 'application/gzip',
        }),
      );
    }
  });

  it('GIVEN one bronze row dropped behind the pipeline THEN it names its file and its event, and exits 1', async () => {
    const { event_id: eventId, source_file: file } = await firstRow(
      'SELECT event_id, source_file FROM silver.listening_events ORDER BY event_id LIMIT 1',
    );
    const { rows_inserted: inserted } = await firstRow(
      `SELECT rows_inserted FROM bronze.load_ledger WHERE file_key = '${file}'`,
    );
    const warehouse = await tampered('dropped-bronze-row', [
      `DELETE FROM bronze.listening_events WHERE event_id = '${eventId}'`,
    ]);

    const { exitCode, report } = await audit(warehouse);

    expect(exitCode).toBe(1);
    expect(report.offsets.every((p) => p.unaccounted === 0)).toBe(true);
    expect(report.findings).toEqual([
      {
        layer: 'bronze',
        problem: `${file}: bronze has ${Number(inserted) - 1} of the ${inserted} rows the ledger says its load inserted (1 missing)`,
        records: 1,
      },
      {
        layer: 'silver',
        problem: `silver row without a bronze row: event ${eventId} from ${file}`,
        records: 1,
      },
    ]);
  });

  it('GIVEN one stray row added to silver THEN it names that event and the gold total it does not match, and exits 1', async () => {
    const { source_file: file, device_type: device } = await firstRow(
      'SELECT source_file, device_type FROM silver.listening_events ORDER BY event_id LIMIT 1',
    );
    const { total_events: deviceEvents } = await firstRow(
      `SELECT total_events FROM gold.device_usage WHERE device_type = '${device}'`,
    );
    const warehouse = await tampered('stray-silver-row', [
      `INSERT INTO silver.listening_events
       SELECT 'stray-event', schema_version, session_id, user_id, song_id, artist_name, song_name, 'pause',
              device_type, country, ms_played, event_ts, event_day, source_file, loaded_at, load_id
       FROM silver.listening_events ORDER BY event_id LIMIT 1`,
    ]);

    const { exitCode, report } = await audit(warehouse);

    expect(exitCode).toBe(1);
    expect(report.offsets.every((p) => p.unaccounted === 0)).toBe(true);
    expect(report.findings).toEqual([
      {
        layer: 'silver',
        problem: `silver row without a bronze row: event stray-event from ${file}`,
        records: 1,
      },
      {
        layer: 'gold',
        problem: `gold.device_usage ${device}: total_events is ${deviceEvents}, silver counts ${Number(deviceEvents) + 1}`,
        records: 1,
      },
    ]);
  });
});
