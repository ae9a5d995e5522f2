import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { auditCommand } from './commands/audit.js';
import { consumeCommand } from './commands/consume.js';
import { dashboardCommand } from './commands/dashboard.js';
import { demoCommand } from './commands/demo.js';
import { generateCommand } from './commands/generate.js';
import { loadCommand } from './commands/load.js';
import { localCommand } from './commands/local.js';
import { produceCommand } from './commands/produce.js';
import { replayFailedCommand } from './commands/replay-failed.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { transformCommand } from './commands/transform.js';
import { explainFailure, failureContextOf } from './failure-messages.js';

/** Builds the `spotify-pipeline` program; each command lives in its own module under `commands/`. */
export function buildProgram(): Command {
  const program = new Command('spotify-pipeline')
    .description(
      'Front door to the streaming pipeline on this machine: generate, produce, consume, replay-failed, load, transform, run, report, dashboard, audit.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addCommand(generateCommand());
  program.addCommand(produceCommand());
  program.addCommand(consumeCommand());
  program.addCommand(replayFailedCommand());
  program.addCommand(loadCommand());
  program.addCommand(localCommand());
  program.addCommand(transformCommand());
  program.addCommand(runCommand());
  program.addCommand(reportCommand());
  program.addCommand(dashboardCommand());
  program.addCommand(auditCommand());
  program.addCommand(demoCommand());
  for (const command of program.commands)
    command.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/** `--verbose` anywhere on the line, or this variable set to 1: failures are shown with their stack. */
export const VERBOSE_VARIABLE = 'SPOTIFY_PIPELINE_VERBOSE';

/** Runs the CLI and returns the process exit code; never throws. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose') || process.env[VERBOSE_VARIABLE] === '1';
  const args = argv.filter((arg) => arg !== '--verbose');
  try {
    await buildProgram().parseAsync([...args]);
    // A command that finished but found something wrong (a skipped file, an unexplained record)
    // sets process.exitCode; the shim sets it again from this value, so it must survive here.
    return Number(process.exitCode ?? 0);
  } catch (error) {
    return reportFailure(explainFailure(error, failureContextOf(args)) ?? error, verbose, error);
  }
}

function reportFailure(error: unknown, verbose: boolean, original: unknown): number {
  const stack = () => {
    if (verbose && original instanceof Error && original.stack) process.stderr.write(`${original.stack}\n`);
  };
  if (error instanceof CommanderError) {
    // Commander already printed its message, or the help text (exit code 0). Usage errors exit 2,
    // as CliErrors do, so scripts can tell a bad invocation from a failed run (1).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof CliError) {
    process.stderr.write(`spotify-pipeline: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  what to do: ${error.hint}\n`);
    stack();
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(
    `spotify-pipeline: unexpected failure: ${detail}\n` +
      'This is a bug in spotify-pipeline: please report it with the command you ran and this output.\n',
  );
  return 1;
}
