import { Command } from 'commander';
import {
  DataQualityError,
  describeFailuresWithSamples,
  GoldStateMissingError,
} from '../../../lambdas/shared/transform/run-transformation.js';
import { localRunId } from '../../../local/pipeline/local-run-id.js';
import { runPipelineOnce } from '../../../local/pipeline/run-pipeline-once.js';
import { CliError } from '../cli-error.js';
import { bucketOption, s3EndpointOption } from '../common-options.js';
import { s3ClientForCli } from '../lake-bucket.js';
import { openLocalWarehouse, parseWarehouseOption, warehouseOption } from '../warehouse-option.js';
import { describeLoad } from './load.js';

export function runCommand(): Command {
  return new Command('run')
    .description(
      'One run of the pipeline, as the deployed state machine does it every hour: load what arrived in the lake, then, if anything is new, the transformation and its data-quality tests.',
    )
    .addOption(bucketOption('the lake bucket'))
    .addOption(s3EndpointOption())
    .addOption(warehouseOption('duckdb:PATH (an embedded file, created when missing)'))
    .option('--full-refresh', 'rebuild silver and gold from all of bronze after the load', false)
    .option(
      '--full-checks',
      'run the data-quality tests over all of history, not only over what the run added',
      false,
    )
    .addHelpText(
      'after',
      '\nThe run has an id (run-<time>-<random>) that names its load transactions and its transformation\n' +
        'batch: a run repeated after a failure, or a step of it, changes nothing that already committed.\n' +
        'Two runs started together on one warehouse file take turns: the second waits for the first.\n' +
        '\nExample:\n  spotify-pipeline run --bucket spotify-lake --s3-endpoint http://127.0.0.1:4566 --warehouse duckdb:.cache/warehouse.duckdb',
    )
    .action(
      async (flags: {
        bucket: string;
        s3Endpoint?: string;
        warehouse: string;
        fullRefresh: boolean;
        fullChecks: boolean;
      }) => {
        const target = parseWarehouseOption(flags.warehouse);
        if (target.kind !== 'duckdb')
          throw new CliError(
            '--warehouse snowflake: on Snowflake the deployed state machine runs the pipeline',
            "start an execution of the stack's state machine (README: running it on AWS), or use --warehouse duckdb:PATH here",
          );
        const runId = localRunId('run');
        const warehouse = await openLocalWarehouse(target.path);
        const started = performance.now();
        try {
          const run = await runPipelineOnce({
            warehouse,
            s3: s3ClientForCli(flags.s3Endpoint),
            bucket: flags.bucket,
            runId,
            fullRefresh: flags.fullRefresh,
            fullChecks: flags.fullChecks,
          });
          process.stderr.write(
            `run ${runId}\n${describeLoad(run.load, (performance.now() - started) / 1000, { kind: 'arrivals' })}`,
          );
          if (run.transformation === undefined) {
            process.stdout.write('run: nothing new to transform\n');
          } else {
            const models = run.transformation.waves.reduce((total, wave) => total + wave.length, 0);
            process.stdout.write(
              `run: loaded ${run.load.rowsInserted.toLocaleString('en-US')} new rows; transformed ${models} models, ` +
                `${run.transformation.tests.length} data-quality tests passed\n`,
            );
            if (run.transformation.newAnomalies.count > 0)
              process.stdout.write(`${run.transformation.newAnomalies.message}\n`);
          }
          if (run.load.skipped.length > 0) process.exitCode = 1;
        } catch (error) {
          if (error instanceof DataQualityError)
            throw new CliError(
              describeFailuresWithSamples(error.failures),
              `the models ran and their tables hold the new data; fix the cause, then run again (a new run; or transform --full-refresh if silver must be rebuilt)`,
              1,
            );
          if (error instanceof GoldStateMissingError)
            throw new CliError(
              `--warehouse ${flags.warehouse}: ${error.reason}`,
              `run spotify-pipeline transform --warehouse ${flags.warehouse} --full-refresh once (this run's load committed; nothing else was changed)`,
              2,
            );
          throw error;
        } finally {
          await warehouse.close();
        }
      },
    );
}
