import type { S3Client } from '@aws-sdk/client-s3';
import type { Kafka } from 'kafkajs';
import {
  type AuditFinding,
  type AuditLayers,
  auditLayers,
} from '../../../lambdas/shared/audit/layer-audit.js';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../../../lambdas/shared/warehouse/sql-files.js';
import type { Warehouse } from '../../../lambdas/shared/warehouse/warehouse.js';
import { readTopicPosition, type TopicPosition } from './committed-ranges.js';
import { type LakeAccount, readLakeAccount } from './lake-accounting.js';
import { accountOffsets, type PartitionAccount } from './offset-accounting.js';

/** Manifests this much older than the topic's retention are read too: a record reaches the lake after Kafka stamped it. */
const MANIFEST_GRACE_MS = 24 * 3_600_000;

export interface AuditReport {
  /** One entry per topic partition: every offset committed and still retained, accounted for. */
  readonly offsets: readonly PartitionAccount[];
  readonly lag: TopicPosition['lag'];
  readonly layers: AuditLayers & {
    /** Lines in the bronze objects the manifests read name. */
    readonly lake_events: number;
    /** Records in the quarantine objects they name. */
    readonly quarantined: number;
    /** Records that repeated an event earlier in their batch, written once. */
    readonly repeats_in_batch: number;
    /** Lines in bronze objects the loader has not loaded yet. */
    readonly lake_events_pending_load: number;
  };
  readonly findings: readonly AuditFinding[];
  /** Records no layer explains; the offsets' `unaccounted` are counted apart. */
  readonly unexplained: number;
  readonly notes: readonly string[];
}

export interface AuditSources {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupId: string;
  readonly lake: { readonly s3: S3Client; readonly bucket: string };
  readonly warehouse: Warehouse;
  readonly nowMs: number;
}

/** Kafka's committed offsets against the lake's manifests and objects, then the lake against the warehouse. */
export async function runAudit(sources: AuditSources): Promise<AuditReport> {
  const position = await readTopicPosition(sources.kafka, sources.topic, sources.groupId);
  const since =
    position.retentionMs === null ? undefined : sources.nowMs - position.retentionMs - MANIFEST_GRACE_MS;
  const lake = await readLakeAccount(sources.lake.s3, sources.lake.bucket, since);
  const offsets = accountOffsets(position.ranges, lake);
  const layerAudit = await auditLayers(sources.warehouse);
  const ledger = await sources.warehouse.query<{ file_key: string; rows_in_file: unknown }>(
    readSqlStatement(DEFAULT_SQL_DIR, 'audit/ledger_files.sql'),
  );
  const lakeFindings: AuditFinding[] = position.expiredUnread.map(({ partition, records }) => ({
    layer: 'lake',
    problem: `${sources.topic} partition ${partition}: ${records} records were deleted by Kafka's retention before the consumer group read them`,
    records,
  }));
  const notes = [
    ...lake.unreadableManifests.map((manifest) => `arrival manifest not readable: ${manifest}`),
    ...layerAudit.notes,
  ];
  const loaded = new Set<string>();
  let notChecked = 0;
  for (const row of ledger) {
    loaded.add(row.file_key);
    const object = lake.objects.get(row.file_key);
    const rows = Number(row.rows_in_file);
    if (object === undefined) notChecked++;
    else if (object.lines === null)
      lakeFindings.push({
        layer: 'lake',
        problem: `${row.file_key} was loaded (${rows} lines) and is no longer in the lake`,
        records: rows,
      });
    else if (object.lines !== rows)
      lakeFindings.push({
        layer: 'lake',
        problem: `${row.file_key} has ${object.lines} lines; the loader loaded ${rows} from it`,
        records: Math.abs(object.lines - rows),
      });
  }
  if (notChecked > 0)
    notes.push(
      `${notChecked} loaded files were not checked against the lake: their manifests arrived before the topic's retention`,
    );
  const findings = [...lakeFindings, ...layerAudit.findings];
  return {
    offsets,
    lag: position.lag,
    layers: { ...lakeTotals(lake, loaded), ...layerAudit.layers },
    findings,
    unexplained: findings.reduce((total, finding) => total + finding.records, 0),
    notes,
  };
}

function lakeTotals(lake: LakeAccount, loaded: ReadonlySet<string>) {
  let lakeEvents = 0;
  let quarantined = 0;
  let pending = 0;
  for (const object of lake.objects.values()) {
    const lines = object.lines ?? 0;
    if (object.area === 'quarantine') quarantined += lines;
    else {
      lakeEvents += lines;
      if (!loaded.has(object.key)) pending += lines;
    }
  }
  return {
    lake_events: lakeEvents,
    quarantined,
    repeats_in_batch: lake.repeats.length,
    lake_events_pending_load: pending,
  };
}
