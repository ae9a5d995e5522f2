import { Command, Option } from 'commander';
import {
  GOLD_REPORT_MODELS,
  type GoldReportModel,
  type ReportRow,
  type ReportValue,
  readGoldModels,
} from '../../../lambdas/shared/transform/gold-report.js';
import { CliError } from '../cli-error.js';
import { formatOption } from '../common-options.js';
import { parseWholeNumber } from '../option-parsers.js';
import { openWarehouseFromFlag, tableExists, warehouseOption } from '../warehouse-option.js';

const FORMATS = ['table', 'json', 'csv'] as const;
type ReportFormat = (typeof FORMATS)[number];

export function reportCommand(): Command {
  return new Command('report')
    .description(
      'Print the gold KPIs: daily, weekly and monthly actives, retention, cohorts, songs, skip rates, devices, countries, users, hourly volume.',
    )
    .addOption(warehouseOption())
    .addOption(formatOption(FORMATS))
    .addOption(new Option('--model <name>', 'only this gold model').choices(GOLD_REPORT_MODELS))
    .option('--limit <n>', 'rows shown per model in the table format (json and csv print every row)', '20')
    .addHelpText(
      'after',
      '\njson: one object keyed by model name, each an array of rows (dates YYYY-MM-DD, hours YYYY-MM-DDTHH:MM:SSZ in UTC, numbers as numbers).\n' +
        'csv: with --model, plain CSV; without, each model as a "# name" line, its header and rows, then a blank line.\n\n' +
        'Example:\n  spotify-pipeline report --warehouse duckdb:.cache/warehouse.duckdb --format json',
    )
    .action(
      async (flags: { warehouse: string; format: ReportFormat; model?: GoldReportModel; limit: string }) => {
        const limit = parseWholeNumber('--limit', flags.limit);
        const warehouse = await openWarehouseFromFlag(flags.warehouse, { readsOnly: true });
        try {
          const models = flags.model ? [flags.model] : [...GOLD_REPORT_MODELS];
          for (const model of models) {
            if (!(await tableExists(warehouse, 'gold', model))) {
              throw new CliError(
                `--warehouse ${flags.warehouse}: the warehouse has no gold.${model} table`,
                `run spotify-pipeline transform --warehouse ${flags.warehouse} first`,
              );
            }
          }
          const report = await readGoldModels(warehouse, models);
          const sections = models.map((model) => ({ model, rows: report[model] }));
          process.stdout.write(formatReport(sections, flags.format, limit, flags.model !== undefined));
        } finally {
          await warehouse.close();
        }
      },
    );
}

export interface ReportSection {
  readonly model: GoldReportModel;
  readonly rows: readonly ReportRow[];
}

export function formatReport(
  sections: readonly ReportSection[],
  format: ReportFormat,
  limit: number,
  single: boolean,
): string {
  if (format === 'json')
    return `${JSON.stringify(Object.fromEntries(sections.map((s) => [s.model, s.rows])), null, 2)}\n`;
  if (format === 'csv') {
    if (single) return csvOf(sections[0]!.rows);
    return sections.map((section) => `# ${section.model}\n${csvOf(section.rows)}\n`).join('');
  }
  return sections.map((section) => tableOf(section, limit)).join('\n');
}

function csvOf(rows: readonly ReportRow[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]!);
  const lines = [
    columns.join(','),
    ...rows.map((row) => columns.map((column) => csvCell(row[column] ?? null)).join(',')),
  ];
  return `${lines.join('\n')}\n`;
}

function csvCell(value: ReportValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A terminal table: numbers right-aligned, rates to four decimals, NULL as "-". */
function tableOf({ model, rows }: ReportSection, limit: number): string {
  const title = `${model} (${rows.length.toLocaleString('en-US')} rows)`;
  if (rows.length === 0) return `${title}\n  (no rows)\n`;
  const columns = Object.keys(rows[0]!);
  const shown = rows.slice(0, limit);
  const cells = shown.map((row) =>
    columns.map((column) => tableCell(row[column] ?? null, decimalsOf(column))),
  );
  const numeric = columns.map((_, index) => shown.every((row) => typeof row[columns[index]!] !== 'string'));
  const widths = columns.map((column, index) =>
    Math.max(column.length, ...cells.map((line) => line[index]!.length)),
  );
  const line = (values: readonly string[]) =>
    `  ${values.map((value, index) => (numeric[index] ? value.padStart(widths[index]!) : value.padEnd(widths[index]!))).join('  ')}`.trimEnd();
  const output = [title, line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)];
  if (rows.length > shown.length)
    output.push(
      `  ... ${(rows.length - shown.length).toLocaleString('en-US')} more (--limit, or --format json)`,
    );
  return `${output.join('\n')}\n`;
}

/**
 * Decimals a fractional column is shown with, so its rows line up: rates, percentages and
 * stickiness with four (1 and 0.75 as 1.0000 and 0.7500), averages and scores with two.
 */
function decimalsOf(column: string): number | undefined {
  if (column.endsWith('_rate') || column.endsWith('_pct') || column === 'stickiness') return 4;
  if (column.startsWith('avg_') || column === 'score') return 2;
  return undefined;
}

function tableCell(value: ReportValue, decimals: number | undefined): string {
  if (value === null) return '-';
  if (typeof value === 'number')
    return decimals === undefined ? value.toLocaleString('en-US') : value.toFixed(decimals);
  return value;
}
