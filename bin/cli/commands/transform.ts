import { Command } from 'commander';
import {
  DataQualityError,
  describeFailuresWithSamples,
  GoldStateMissingError,
  runTransformation,
  type TransformationProgress,
} from '../../../lambdas/shared/transform/run-transformation.js';
import { localRunId } from '../../../local/pipeline/local-run-id.js';
import { CliError } from '../cli-error.js';
import { openWarehouseFromFlag, tableExists, warehouseOption } from '../warehouse-option.js';

export function transformCommand(): Command {
  return new Command('transform')
    .description(
      'Build silver and gold from bronze with the SQL models in sql/manifest.json, then run their data-quality tests.',
    )
    .addOption(warehouseOption())
    .option('--full-refresh', 'rebuild silver and gold from all of bronze instead of only what is new', false)
    .option(
      '--full-checks',
      'run the data-quality tests over all of history instead of over what this run added',
      false,
    )
    .option('--quiet', 'print only the summary, not each model and test', false)
    .addHelpText(
      'after',
      '\nAn ordinary run processes only the bronze rows loaded since the last run: the day-grained gold\n' +
        'models are rebuilt for the UTC days those rows fall on, and every other gold model folds the new\n' +
        'rows into what it holds. The data-quality tests check what the run added; --full-checks checks\n' +
        'all of history. A failing data-quality test exits 1 and shows up to 5 of its rows.\n\n' +
        'Example:\n  spotify-pipeline transform --warehouse duckdb:.cache/warehouse.duckdb',
    )
    .action(
      async (flags: { warehouse: string; fullRefresh: boolean; fullChecks: boolean; quiet: boolean }) => {
        const warehouse = await openWarehouseFromFlag(flags.warehouse);
        try {
          if (!(await tableExists(warehouse, 'bronze', 'listening_events'))) {
            throw new CliError(
              `--warehouse ${flags.warehouse}: the warehouse has no bronze.listening_events table`,
              'load events into it first: the transformation reads bronze',
            );
          }
          const result = await runTransformation(warehouse, {
            batchId: localRunId('transform'),
            fullRefresh: flags.fullRefresh,
            fullChecks: flags.fullChecks,
            onProgress: flags.quiet ? undefined : printProgress,
          });
          const models = result.waves.reduce((total, wave) => total + wave.length, 0);
          process.stdout.write(
            `transform: ${models} models in ${result.waves.length} waves (${result.statementsRun} statements), ` +
              `${result.tests.length} data-quality tests passed\n`,
          );
          if (result.newAnomalies.count > 0) process.stdout.write(`${result.newAnomalies.message}\n`);
        } catch (error) {
          if (error instanceof DataQualityError) {
            throw new CliError(
              describeFailuresWithSamples(error.failures),
              'the models ran and their tables hold the new data; fix the cause, then run again (with --full-refresh if silver must be rebuilt)',
              1,
            );
          }
          if (error instanceof GoldStateMissingError)
            throw new CliError(
              `--warehouse ${flags.warehouse}: ${error.reason}`,
              `run spotify-pipeline transform --warehouse ${flags.warehouse} --full-refresh once (nothing was changed)`,
              2,
            );
          throw error;
        } finally {
          await warehouse.close();
        }
      },
    );
}

function printProgress(event: TransformationProgress): void {
  if (event.kind === 'model')
    process.stderr.write(
      `wave ${event.wave}: ${event.model} (${event.alreadyDone ? 'already done for this batch' : `${event.statements} statements`})\n`,
    );
  else
    process.stderr.write(
      `test ${event.test}: ${event.failingRows === 0 ? 'passed' : `${event.failingRows} failing rows`}\n`,
    );
}
