import snowflake from 'snowflake-sdk';
import { DEFAULT_SQL_DIR, readSqlStatement } from './sql-files.js';
import type { SqlValue, Warehouse } from './warehouse.js';

/** How to reach Snowflake with key-pair authentication (no passwords anywhere). */
export interface SnowflakeSettings {
  /** Account identifier, e.g. `myorg-myaccount`. */
  readonly account: string;
  readonly username: string;
  /** PEM of the user's RSA private key (PKCS#8), whose public key is set on the user. */
  readonly privateKey: string;
  readonly warehouse: string;
  readonly database: string;
  readonly role: string;
  /**
   * Where the driver connects, when not the account's own address (a private-link address, or a
   * test server that records statements).
   * @default - https://<account>.snowflakecomputing.com
   */
  readonly accessUrl?: string;
}

/** How long Snowflake lets one statement run, and wait for a lock, before cancelling it. */
export interface SnowflakeSessionTimeouts {
  readonly statementSeconds: number;
  readonly lockSeconds: number;
}

/** How hard the driver tries to log in before it gives up. */
export interface SnowflakeLoginRetries {
  /**
   * Login attempts after the first, with growing waits between them.
   * @default - the driver's (7): a function waits out a brief outage rather than fail its step
   */
  readonly loginRetries?: number;
}

/**
 * The Snowflake adapter of the warehouse port, through snowflake-sdk. One connection, statements
 * in order; a transaction is BEGIN … COMMIT (ROLLBACK on failure) on that connection. Column names
 * come back lower case, as the port promises (Snowflake folds unquoted names to upper case). The
 * session's time zone is UTC: see sql/session/snowflake/time_zone_utc.sql. With `timeouts` (the
 * deployed functions always pass them), see sql/session/snowflake/timeouts.sql. `retries` bounds
 * the login: the command line gives up sooner than a function.
 */
export async function openSnowflakeWarehouse(
  settings: SnowflakeSettings,
  timeouts?: SnowflakeSessionTimeouts,
  retries: SnowflakeLoginRetries = {},
): Promise<Warehouse> {
  // Off: the driver would otherwise append its errors to ./snowflake.log wherever the process runs
  // (a user's folder, a function's read-only code). Every error it logs also reaches the caller,
  // which reports it: a refused login is thrown below, a failed statement rejects its promise.
  snowflake.configure({ logLevel: 'OFF' });
  const connection = snowflake.createConnection({
    account: settings.account,
    username: settings.username,
    authenticator: 'SNOWFLAKE_JWT',
    privateKey: settings.privateKey,
    warehouse: settings.warehouse,
    database: settings.database,
    role: settings.role,
    ...(settings.accessUrl === undefined ? {} : { accessUrl: settings.accessUrl }),
    application: 'spotify-streaming-pipeline',
    ...(retries.loginRetries === undefined ? {} : { sfRetryMaxLoginRetries: retries.loginRetries }),
  });
  // The driver's connectAsync resolves even when Snowflake refuses the login, handing the error
  // only to its callback; the first statement would then fail as "terminated connection".
  let refused: unknown;
  await connection.connectAsync((error) => {
    if (error) refused = error;
  });
  if (refused !== undefined) throw refused;
  const warehouse = new SnowflakeWarehouse(connection);
  await warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'session/snowflake/time_zone_utc.sql'));
  if (timeouts !== undefined) await warehouse.execute(sessionTimeoutsStatement(timeouts));
  return warehouse;
}

/** sql/session/snowflake/timeouts.sql with its placeholders replaced by the checked seconds. */
export function sessionTimeoutsStatement(timeouts: SnowflakeSessionTimeouts): string {
  for (const [name, seconds] of Object.entries(timeouts)) {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 604_800)
      throw new RangeError(
        `the Snowflake ${name} timeout must be whole seconds from 1 to 604,800, not ${seconds}`,
      );
  }
  return readSqlStatement(DEFAULT_SQL_DIR, 'session/snowflake/timeouts.sql')
    .replace('111111111', String(timeouts.statementSeconds))
    .replace('222222222', String(timeouts.lockSeconds));
}

/**
 * Values sent in one request by executeMany. Above CLIENT_STAGE_ARRAY_BINDING_THRESHOLD (100,000
 * by default) the driver would instead upload the values to a temporary stage first.
 */
const MAX_BINDS_PER_REQUEST = 50_000;

/** The driver cannot serialise a bigint; as text Snowflake still reads it as a number. */
function toSnowflakeBind(value: SqlValue): Exclude<SqlValue, bigint> {
  return typeof value === 'bigint' ? value.toString() : value;
}

class SnowflakeWarehouse implements Warehouse {
  readonly dialect = 'snowflake' as const;
  private inTransactionNow = false;

  constructor(private readonly connection: snowflake.Connection) {}

  async execute(sql: string, binds: readonly SqlValue[] = []): Promise<void> {
    await this.run(sql, binds);
  }

  async executeMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (rows.length === 0) return;
    const rowsPerRequest = Math.max(1, Math.floor(MAX_BINDS_PER_REQUEST / Math.max(1, rows[0]!.length)));
    for (let start = 0; start < rows.length; start += rowsPerRequest) {
      await this.run(sql, rows.slice(start, start + rowsPerRequest));
    }
  }

  async query<Row extends Record<string, unknown>>(
    sql: string,
    binds: readonly SqlValue[] = [],
  ): Promise<Row[]> {
    const rows = await this.run(sql, binds);
    return rows.map(
      (row) =>
        Object.fromEntries(Object.entries(row).map(([name, value]) => [name.toLowerCase(), value])) as Row,
    );
  }

  async inTransaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransactionNow) return work();
    await this.run('BEGIN', []);
    this.inTransactionNow = true;
    try {
      const result = await work();
      await this.run('COMMIT', []);
      return result;
    } catch (error) {
      await this.run('ROLLBACK', []);
      throw error;
    } finally {
      this.inTransactionNow = false;
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.connection.destroy((error) => (error ? reject(error) : resolve())),
    );
  }

  /** Runs a statement with one row of values, or with many (array binding: each a row). */
  private run(
    sqlText: string,
    binds: readonly SqlValue[] | readonly (readonly SqlValue[])[],
  ): Promise<Record<string, unknown>[]> {
    return new Promise((resolve, reject) => {
      this.connection.execute({
        sqlText,
        binds: binds.map((value) =>
          Array.isArray(value) ? value.map(toSnowflakeBind) : toSnowflakeBind(value as SqlValue),
        ) as snowflake.Binds,
        complete: (error, _statement, rows) => {
          if (error)
            reject(new Error(`Snowflake refused a statement (${error.message}): ${sqlText.slice(0, 200)}`));
          else resolve((rows ?? []) as Record<string, unknown>[]);
        },
      });
    });
  }
}
