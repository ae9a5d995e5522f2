import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { LakeStorage } from '../lake/lake-storage.js';
import { type WarehouseFunctionSettings, WarehouseSqlFunction } from '../warehouse/warehouse-sql-function.js';

/** The handler's file, relative to the repository root. */
export const LOADER_ENTRY = 'lambdas/loader/handler.ts';
/** The loader's memory (MiB) when the props do not say otherwise: it reads a file COPY refused line by line, in memory. */
export const LAKE_LOADER_DEFAULT_MEMORY_MIB = 1024;

/** Properties of {@link LakeLoader}: its lake, the Snowflake key-pair secret, its size and timeout. */
export interface LakeLoaderProps extends Omit<WarehouseFunctionSettings, 'memorySize'> {
  /** The lake whose new files it loads. */
  readonly lake: LakeStorage;
  /** @default 1024: it reads a file COPY refused line by line, in memory */
  readonly memorySize?: number;
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
    const { lake, memorySize, ...settings } = props;
    this.function = new WarehouseSqlFunction(this, 'Loader', {
      ...settings,
      entry: LOADER_ENTRY,
      description: "Loads the lake's new files into Snowflake, exactly once; invoked by the pipeline run",
      memorySize: memorySize ?? LAKE_LOADER_DEFAULT_MEMORY_MIB,
      environment: { LAKE_BUCKET: lake.bucket.bucketName },
    }).function;
    // It lists and reads arrivals/ to find the files written since the last run; Snowflake's stage
    // reads the files. The function reads a bronze/ file itself only when COPY refuses it, to stage
    // its good lines and keep the bad ones; it never lists bronze/ (backfills by event time are the
    // command line's).
    lake.grantReadArrivals(this.function);
    lake.grantReadBronzeObjects(this.function);
  }
}
