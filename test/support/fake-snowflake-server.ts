import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** A statement the driver sent: its text and its bound values, in order. */
export interface CapturedStatement {
  readonly sql: string;
  readonly binds: readonly unknown[];
}

/** What the fake answers to a query: column names and rows of values (sent as JSON text, as Snowflake does). */
export interface FakeResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | null)[])[];
  /**
   * Each column's Snowflake type, as the result's `rowtype` declares it, with the rows' values
   * encoded as Snowflake's JSON result format encodes that type (see SnowflakeOverDuckDb).
   * @default every column `text`
   */
  readonly types?: readonly FakeColumnType[];
}

/** A column type of Snowflake's JSON result format, which decides what the driver makes of the text. */
export interface FakeColumnType {
  readonly type: 'text' | 'fixed' | 'real' | 'boolean' | 'date' | 'timestamp_ntz';
  readonly scale: number | null;
  readonly precision: number | null;
}

/** A statement Snowflake refuses: its message, as the service words it. */
export interface FakeFailure {
  readonly error: string;
}

/**
 * How the server answers a statement of a session (each login is a session of its own, numbered
 * from 1): rows, a failure, or nothing (an empty result).
 */
export type StatementAnswer = (
  statement: CapturedStatement,
  session: number,
) => FakeResult | FakeFailure | undefined | Promise<FakeResult | FakeFailure | undefined>;

/**
 * A small HTTP server that speaks the part of Snowflake's JSON protocol snowflake-sdk uses for a
 * key-pair login and for statements with JSON results, and records every statement. Tests point
 * the Snowflake adapter at it (accessUrl) to see exactly what would reach Snowflake, since the
 * service itself cannot run here; `answer` decides what each statement returns (see
 * SnowflakeOverDuckDb, which runs them on DuckDB).
 */
export class FakeSnowflakeServer {
  readonly statements: CapturedStatement[] = [];
  readonly logins: { readonly user: string; readonly authenticator: string }[] = [];
  private server: Server | undefined;
  private sessions = 0;
  private loginsToRefuse = 0;

  constructor(private readonly answer: StatementAnswer = () => undefined) {}

  /** The next `count` logins are refused, as Snowflake refuses a key it does not know. */
  refuseLogins(count: number): void {
    this.loginsToRefuse += count;
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void readBody(request).then(async (body) => {
        const url = new URL(request.url ?? '/', 'http://fake');
        const reply = (payload: unknown) => {
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify(payload));
        };
        if (url.pathname === '/session/v1/login-request') {
          const data = (body as { data: { LOGIN_NAME: string; AUTHENTICATOR: string } }).data;
          this.logins.push({ user: data.LOGIN_NAME, authenticator: data.AUTHENTICATOR });
          if (this.loginsToRefuse > 0) {
            this.loginsToRefuse--;
            reply({
              success: false,
              code: '390100',
              message: 'Incorrect username or password was specified.',
              data: null,
            });
            return;
          }
          const session = ++this.sessions;
          reply({
            success: true,
            data: {
              token: `session-token-${session}`,
              masterToken: 'master-token',
              validityInSeconds: 3600,
              masterValidityInSeconds: 14400,
              sessionId: session,
              parameters: [],
              sessionInfo: {
                databaseName: 'DB',
                schemaName: 'PUBLIC',
                warehouseName: 'WH',
                roleName: 'ROLE',
              },
            },
          });
          return;
        }
        if (url.pathname === '/queries/v1/query-request') {
          const { sqlText, bindings } = body as {
            sqlText: string;
            bindings?: Record<string, { value: unknown }>;
          };
          const binds = Object.keys(bindings ?? {})
            .sort((a, b) => Number(a) - Number(b))
            .map((key) => bindings![key]!.value);
          const statement = { sql: sqlText, binds };
          this.statements.push(statement);
          const token = /Token="session-token-(\d+)"/.exec(request.headers.authorization ?? '')?.[1];
          const answered = await this.answer(statement, Number(token ?? 0));
          if (answered !== undefined && 'error' in answered) {
            reply({
              success: false,
              code: '100069',
              message: answered.error,
              data: { errorCode: '100069', sqlState: '22000', queryId: `query-${this.statements.length}` },
            });
            return;
          }
          const result = answered ?? { columns: ['status'], rows: [['ok']] };
          reply({
            success: true,
            data: {
              queryId: `query-${this.statements.length}`,
              queryResultFormat: 'json',
              rowtype: result.columns.map((name, index) => ({
                name,
                nullable: true,
                length: 1000,
                ...(result.types?.[index] ?? { type: 'text', scale: null, precision: null }),
              })),
              rowset: result.rows.map((row) => row.map((value) => (value === null ? null : String(value)))),
              total: result.rows.length,
              returned: result.rows.length,
              statementTypeId: 4096,
              parameters: [],
            },
          });
          return;
        }
        // Logout, heartbeat, telemetry: nothing to record.
        reply({ success: true, data: {} });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The statements without the driver's own session housekeeping. */
  sqlSent(): string[] {
    return this.statements.map((statement) => statement.sql.replace(/\s+/g, ' ').trim());
  }
}

/** A PKCS#8 PEM private key, as a Snowflake user's key pair would have. */
export function aPrivateKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let buffer = Buffer.concat(chunks);
  if (request.headers['content-encoding'] === 'gzip') buffer = gunzipSync(buffer);
  return buffer.length === 0 ? {} : JSON.parse(buffer.toString('utf8'));
}
