import { Command } from 'commander';
import type { AuditReport } from '../audit/run-audit.js';
import { runAudit } from '../audit/run-audit.js';
import { CliError } from '../cli-error.js';
import {
  brokersOption,
  bucketOption,
  consumerGroupOption,
  formatOption,
  iamRegionOption,
  type KafkaFlags,
  kafkaFromFlags,
  type LakeFlags,
  s3EndpointOption,
  topicOption,
} from '../common-options.js';
import { s3ClientForCli } from '../lake-bucket.js';
import { openWarehouseFromFlag, tableExists, warehouseOption } from '../warehouse-option.js';

const FORMATS = ['table', 'json'] as const;

interface AuditFlags extends KafkaFlags, LakeFlags {
  topic: string;
  group: string;
  warehouse: string;
  format: (typeof FORMATS)[number];
}

export function auditCommand(): Command {
  return new Command('audit')
    .description(
      'Account for every record from Kafka to gold: each committed offset in one lake place, and every layer adding up.',
    )
    .addOption(brokersOption('bootstrap brokers, comma-separated'))
    .addOption(topicOption('the topic the consumer reads'))
    .addOption(consumerGroupOption('the consumer group whose committed offsets are audited'))
    .addOption(bucketOption('the lake bucket'))
    .addOption(s3EndpointOption())
    .addOption(iamRegionOption())
    .addOption(warehouseOption())
    .addOption(formatOption(FORMATS))
    .addHelpText(
      'after',
      '\nExits 1 when any offset is unaccounted for or any record unexplained, 0 when everything adds up.\n' +
        'json: {"offsets": [{topic, partition, from, to, unaccounted, ...}], "layers": {...}, "findings": [...], "unexplained": n}.\n\n' +
        'Example:\n  spotify-pipeline audit --brokers 127.0.0.1:9092 --bucket spotify-lake --s3-endpoint http://127.0.0.1:4566 \\\n' +
        '      --warehouse duckdb:.cache/warehouse.duckdb',
    )
    .action(async (flags: AuditFlags) => {
      const kafka = kafkaFromFlags(flags, 'spotify-pipeline-audit');
      const warehouse = await openWarehouseFromFlag(flags.warehouse, { readsOnly: true });
      try {
        for (const table of ['device_usage', 'top_songs'])
          if (!(await tableExists(warehouse, 'gold', table)))
            throw new CliError(
              `--warehouse ${flags.warehouse}: the warehouse has no gold.${table} table`,
              `run spotify-pipeline transform --warehouse ${flags.warehouse} first`,
            );
        const report = await runAudit({
          kafka,
          topic: flags.topic,
          groupId: flags.group,
          lake: { s3: s3ClientForCli(flags.s3Endpoint), bucket: flags.bucket },
          warehouse,
          nowMs: Date.now(),
        });
        process.stdout.write(
          flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : tableOf(report),
        );
        const unaccounted = report.offsets.reduce((total, partition) => total + partition.unaccounted, 0);
        if (unaccounted > 0 || report.unexplained > 0) process.exitCode = 1;
      } finally {
        await warehouse.close();
      }
    });
}

function tableOf(report: AuditReport): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const lines = ['offsets (committed by the group and still in Kafka):'];
  for (const p of report.offsets) {
    const span = p.to < p.from ? 'nothing committed' : `${n(p.from)} to ${n(p.to)}`;
    const unverified = p.unverified > 0 ? `, ${n(p.unverified)} unverified` : '';
    lines.push(
      `  ${p.topic} ${p.partition}: ${span}: ${n(p.accounted)} accounted${unverified}, ${n(p.unaccounted)} unaccounted`,
    );
    for (const problem of p.problems)
      lines.push(
        `    ${problem.from === problem.to ? n(problem.from) : `${n(problem.from)}-${n(problem.to)}`}: ${problem.problem}`,
      );
  }
  for (const lag of report.lag)
    lines.push(`  partition ${lag.partition}: ${n(lag.records)} records not consumed yet (not audited)`);
  lines.push('layers:');
  for (const [name, value] of Object.entries(report.layers)) {
    if (typeof value === 'number') lines.push(`  ${name.padEnd(26)} ${n(value).padStart(12)}`);
    else
      for (const [reason, count] of Object.entries(value as Readonly<Record<string, number>>))
        lines.push(`  ${`  ${reason}`.padEnd(26)} ${n(count).padStart(12)}`);
  }
  lines.push(report.findings.length === 0 ? 'findings: none' : 'findings:');
  for (const finding of report.findings) lines.push(`  [${finding.layer}] ${finding.problem}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push(`unexplained: ${n(report.unexplained)}`);
  return `${lines.join('\n')}\n`;
}
