import { DEFAULT_SQL_DIR, readSqlStatement } from '../warehouse/sql-files.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/**
 * The warehouse's records, layer by layer. They must add up:
 *
 *   lake_events_loaded = bronze_rows_inserted + load_rejects + duplicate_copies
 *   bronze_rows        = bronze_rows_inserted (per file: what the ledger says each load inserted)
 *   bronze_rows        = silver_rows + silver_rejects + bronze_rows_pending
 *   gold device totals and song plays = the same counts of silver
 *
 * `duplicate_copies` are the lines the loader's MERGE found already in bronze (the remainder of
 * the first line: it can only be checked not to be negative); `bronze_rows_pending` are rows of
 * loads no transformation batch has claimed yet.
 */
export interface AuditLayers {
  readonly lake_files_loaded: number;
  /** Lines in the lake files the ledger says were loaded. */
  readonly lake_events_loaded: number;
  readonly load_rejects: number;
  readonly duplicate_copies: number;
  readonly bronze_rows_inserted: number;
  readonly bronze_rows: number;
  readonly bronze_rows_pending: number;
  readonly silver_rows: number;
  readonly silver_rejects: number;
  readonly silver_rejects_by_reason: Readonly<Record<string, number>>;
}

/** Something that does not add up, with what it is and how many records it concerns. */
export interface AuditFinding {
  readonly layer: 'lake' | 'bronze' | 'silver' | 'gold';
  /** What is wrong, naming the file, event, device or song. */
  readonly problem: string;
  /** Records not explained. */
  readonly records: number;
}

export interface LayerAudit {
  readonly layers: AuditLayers;
  readonly findings: readonly AuditFinding[];
  /** Records no layer explains: the findings' records summed. Zero when everything adds up. */
  readonly unexplained: number;
  /** Checks skipped, with why (a transformation run has not finished, so gold lags silver). */
  readonly notes: readonly string[];
}

/** Findings of one kind listed by name, at most; the rest are summed in one more finding. */
const FINDINGS_NAMED = 20;

/** Reads the counts of every layer from the warehouse and checks that they add up. */
export async function auditLayers(
  warehouse: Warehouse,
  sqlDir: string = DEFAULT_SQL_DIR,
): Promise<LayerAudit> {
  const sql = (file: string) => readSqlStatement(sqlDir, file);
  const [counts] = await warehouse.query(sql('audit/layer_counts.sql'));
  const count = (name: string) => Number(counts?.[name] ?? 0);
  const rejects = await warehouse.query<{ layer: string; reason: string; row_count: unknown }>(
    sql('report/rejects_by_reason.sql'),
  );
  const layers: AuditLayers = {
    lake_files_loaded: count('lake_files_loaded'),
    lake_events_loaded: count('lake_events_loaded'),
    load_rejects: count('load_rejects'),
    duplicate_copies: count('lake_events_loaded') - count('load_rejects') - count('bronze_rows_inserted'),
    bronze_rows_inserted: count('bronze_rows_inserted'),
    bronze_rows: count('bronze_rows'),
    bronze_rows_pending: count('bronze_rows_pending'),
    silver_rows: count('silver_rows'),
    silver_rejects: count('silver_rejects'),
    silver_rejects_by_reason: Object.fromEntries(
      rejects.filter((row) => row.layer === 'silver').map((row) => [row.reason, Number(row.row_count)]),
    ),
  };

  const findings: AuditFinding[] = [];
  if (layers.duplicate_copies < 0)
    findings.push({
      layer: 'bronze',
      problem: `the ledger's files hold ${layers.lake_events_loaded} lines, fewer than the ${layers.bronze_rows_inserted} rows it says they inserted plus the ${layers.load_rejects} lines the loader refused`,
      records: -layers.duplicate_copies,
    });
  const files = await warehouse.query<{ file_key: string; ledger_rows: unknown; bronze_rows: unknown }>(
    sql('audit/bronze_files_against_ledger.sql'),
  );
  findings.push(
    ...named(
      files.map((file) => {
        const ledger = Number(file.ledger_rows);
        const bronze = Number(file.bronze_rows);
        return {
          layer: 'bronze' as const,
          problem:
            bronze < ledger
              ? `${file.file_key}: bronze has ${bronze} of the ${ledger} rows the ledger says its load inserted (${ledger - bronze} missing)`
              : `${file.file_key}: bronze has ${bronze} rows from it, the ledger ${ledger} (${bronze - ledger} not loaded by the loader)`,
          records: Math.abs(bronze - ledger),
        };
      }),
      'more files',
    ),
  );
  const unmatched = await warehouse.query<{ problem: string; event_id: string | null; source_file: string }>(
    sql('audit/silver_rows_against_bronze.sql'),
  );
  findings.push(
    ...named(
      unmatched.map((row) => ({
        layer: 'silver' as const,
        problem: `${row.problem}: event ${row.event_id ?? '(no id)'} from ${row.source_file}`,
        records: 1,
      })),
      'more rows',
    ),
  );

  const notes: string[] = [];
  const unfinished = count('unfolded_batches') + count('pending_days');
  if (unfinished > 0) {
    notes.push(
      `gold was not checked against silver: a transformation run has not finished (${count('unfolded_batches')} batches not folded, ${count('pending_days')} days pending); the next run completes it`,
    );
  } else {
    const totals = await warehouse.query<{
      model: string;
      item: string;
      measure: string;
      gold_value: unknown;
      silver_value: unknown;
    }>(sql('audit/gold_totals_against_silver.sql'));
    findings.push(
      ...named(
        totals.map((row) => ({
          layer: 'gold' as const,
          problem: `${row.model} ${row.item}: ${row.measure} is ${Number(row.gold_value)}, silver counts ${Number(row.silver_value)}`,
          records: Math.abs(Number(row.gold_value) - Number(row.silver_value)),
        })),
        'more totals',
      ),
    );
  }
  return { layers, findings, unexplained: findings.reduce((total, f) => total + f.records, 0), notes };
}

/** The first FINDINGS_NAMED findings, and the rest summed into one. */
function named(findings: AuditFinding[], more: string): AuditFinding[] {
  if (findings.length <= FINDINGS_NAMED) return findings;
  const rest = findings.slice(FINDINGS_NAMED);
  return [
    ...findings.slice(0, FINDINGS_NAMED),
    {
      layer: rest[0]!.layer,
      problem: `${rest.length} ${more} like these`,
      records: rest.reduce((total, finding) => total + finding.records, 0),
    },
  ];
}
