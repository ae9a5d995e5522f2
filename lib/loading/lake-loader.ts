import { Duration } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { LakeStorage } from '../lake/lake-storage.js';
import { WarehouseSqlFunction } from '../warehouse/warehouse-sql-function.js';

/** The handler's file, relative to the repository root. */
export const LOADER_ENTRY = 'lambdas/loader/handler.ts';

/** Properties of {@link LakeLoader}. */
export interface LakeLoaderProps {
  /** The lake whose new files it loads. */
  readonly lake: LakeStorage;
  /** The Snowflake key-pair secret. */
  readonly credentials: ISecret;
  /** @default 1024 */
  readonly memorySize?: number;
  /**
   * At least 120 seconds (see {@link WarehouseSqlFunction}).
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The loader function (`lambdas/loader/handler.ts`): the lake's new files into Snowflake, exactly
 * once (COPY INTO with an explicit file list, then MERGE; the load ledger makes a file load once).
 *
 * It has no schedule of its own: the pipeline-run state machine invokes it, synchronously, while
 * it holds the run lease, with `{"runId": <execution name>}`. So Lambda never retries it as an
 * asynchronous invocation (the state machine retries a failed warehouse connection), and it needs
 * no Step Functions permission at all.
 */
export class LakeLoader extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: LakeLoaderProps) {
    super(scope, id);
    this.function = new WarehouseSqlFunction(this, 'Loader', {
      entry: LOADER_ENTRY,
      description: "Loads the lake's new files into Snowflake, exactly once; invoked by the pipeline run",
      credentials: props.credentials,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(15),
      logRetention: props.logRetention,
      environment: { LAKE_BUCKET: props.lake.bucket.bucketName },
    }).function;
    // It lists and reads arrivals/ to find the files written since the last run; Snowflake's stage
    // reads the files. The function reads a bronze/ file itself only when COPY refuses it, to stage
    // its good lines and keep the bad ones; it never lists bronze/ (backfills by event time are the
    // command line's).
    props.lake.grantReadArrivals(this.function);
    props.lake.grantReadBronzeObjects(this.function);
  }
}
