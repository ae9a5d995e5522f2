import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  acknowledgeFunctionDefaults,
  PIPELINE_BUNDLING,
  pipelineFunctionDefaults,
} from '../app/pipeline-function-defaults.js';

/** Where the bundle keeps `sql/` in the function's file system; the code finds it through SQL_DIR. */
export const BUNDLED_SQL_DIR = '/var/task/sql';

/** How long before the function's own timeout Snowflake gives up on a statement or a lock. */
const SNOWFLAKE_TIMEOUT_MARGIN = Duration.seconds(60);
/** The shortest function timeout that leaves Snowflake a useful statement timeout within it. */
export const MINIMUM_WAREHOUSE_FUNCTION_TIMEOUT = Duration.seconds(120);
/** The function's size and timeout when the props do not say otherwise. */
export const WAREHOUSE_SQL_FUNCTION_DEFAULTS = {
  memorySize: 512,
  timeout: Duration.minutes(15),
} as const;

/** Properties of {@link WarehouseSqlFunction}. */
export interface WarehouseSqlFunctionProps {
  /** The handler's file, relative to the repository root. */
  readonly entry: string;
  readonly description: string;
  /** The Snowflake key-pair secret the function logs in with; it gets read access to it. */
  readonly credentials: ISecret;
  /** @default 512 */
  readonly memorySize?: number;
  /**
   * At least {@link MINIMUM_WAREHOUSE_FUNCTION_TIMEOUT}: Snowflake's statement and lock timeouts are
   * set a margin below it, so that Snowflake cancels a statement before Lambda stops the function.
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Added to SNOWFLAKE_SECRET_ARN, SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS,
   * SNOWFLAKE_LOCK_TIMEOUT_SECONDS, SQL_DIR and NODE_OPTIONS.
   * @default - only those
   */
  readonly environment?: Record<string, string>;
}

/**
 * What a construct built on {@link WarehouseSqlFunction} lets its user set: the secret, and the
 * function's size, timeout and log retention, with WarehouseSqlFunction's defaults and checks.
 */
export type WarehouseFunctionSettings = Pick<
  WarehouseSqlFunctionProps,
  'credentials' | 'memorySize' | 'timeout' | 'logRetention'
>;

/**
 * A function that runs the project's SQL on Snowflake: the handler bundled with esbuild (no
 * network at synth) together with a copy of `sql/`, which the handler reads through SQL_DIR, so
 * the statements deployed are exactly those the tests checked.
 *
 * It runs outside the VPC on purpose: Snowflake is reached over the internet, and a VPC function
 * would need a NAT gateway (the dev network has none) for the same path. It reads S3 and Secrets
 * Manager through their public endpoints with its role, over TLS.
 */
export class WarehouseSqlFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WarehouseSqlFunctionProps) {
    super(scope, id);
    const timeout = props.timeout ?? WAREHOUSE_SQL_FUNCTION_DEFAULTS.timeout;
    const minimumSeconds = MINIMUM_WAREHOUSE_FUNCTION_TIMEOUT.toSeconds();
    if (timeout.toSeconds() < minimumSeconds) {
      throw new Error(
        `WarehouseSqlFunction ${this.node.path}: timeout is ${timeout.toSeconds()} seconds; use at least ${minimumSeconds} (Snowflake's statement and lock timeouts are set ${SNOWFLAKE_TIMEOUT_MARGIN.toSeconds()} seconds below it)`,
      );
    }
    // So that a statement waiting on a lock, or running away, is cancelled by Snowflake (which
    // rolls its transaction back) before Lambda kills the function in the middle of a transaction.
    const snowflakeTimeoutSeconds = String(timeout.toSeconds() - SNOWFLAKE_TIMEOUT_MARGIN.toSeconds());
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    this.function = new NodejsFunction(this, 'Function', {
      ...pipelineFunctionDefaults(props.entry),
      description: props.description,
      memorySize: props.memorySize ?? WAREHOUSE_SQL_FUNCTION_DEFAULTS.memorySize,
      timeout,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        SNOWFLAKE_SECRET_ARN: props.credentials.secretArn,
        SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: snowflakeTimeoutSeconds,
        SNOWFLAKE_LOCK_TIMEOUT_SECONDS: snowflakeTimeoutSeconds,
        SQL_DIR: BUNDLED_SQL_DIR,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        ...PIPELINE_BUNDLING,
        // lambdas/shared/warehouse/sql-files.ts looks for sql/ from import.meta.url only when SQL_DIR
        // is unset, which it never is here; CommonJS has no import.meta, so esbuild would warn.
        esbuildArgs: { '--log-override:empty-import-meta': 'silent' },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // Node rather than `cp`, so bundling works the same on every platform that runs `cdk synth`.
          afterBundling: (inputDir: string, outputDir: string) => [
            `node -e "require('node:fs').cpSync(process.argv[1], process.argv[2], { recursive: true })" "${join(inputDir, 'sql')}" "${join(outputDir, 'sql')}"`,
          ],
        },
      },
    });
    props.credentials.grantRead(this.function);

    acknowledgeFunctionDefaults(this.function, { AWSLambdaBasicExecutionRole: 'writing its own logs' });
  }
}
