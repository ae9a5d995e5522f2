import { CliError } from './cli-error.js';

/** Where `--warehouse` points: an embedded DuckDB file, or the Snowflake account of the deployment. */
export type WarehouseTarget =
  | { readonly kind: 'duckdb'; readonly path: string }
  | { readonly kind: 'snowflake' };

export function parseWarehouseOption(text: string): WarehouseTarget {
  if (text === 'snowflake') return { kind: 'snowflake' };
  if (text.startsWith('duckdb:') && text.length > 'duckdb:'.length)
    return { kind: 'duckdb', path: text.slice('duckdb:'.length) };
  throw new CliError(
    `--warehouse "${text}" is neither duckdb:PATH nor snowflake`,
    'e.g. --warehouse duckdb:.cache/warehouse.duckdb',
  );
}
