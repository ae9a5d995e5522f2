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
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { transformCommand } from './commands/transform.js';

/** Builds the `spotify-pipeline` program; each command lives in its own module under `commands/`. */
export function buildProgram(): Command {
  const program = new Command('spotify-pipeline')
    .description(
      'Front door to the streaming pipeline on this machine: generate, produce, consume, load, transform, run, report, dashboard, audit.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addCommand(generateCommand());
  program.addCommand(produceCommand());
  program.addCommand(consumeCommand());
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

/** Runs the CLI and returns the process exit code; never throws. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    // A command that finished but found something wrong (a skipped file, an unexplained record)
    // sets process.exitCode; the shim sets it again from this value, so it must survive here.
    return Number(process.exitCode ?? 0);
  } catch (error) {
    return reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message, or the help text (exit code 0). Usage errors exit 2,
    // as CliErrors do, so scripts can tell a bad invocation from a failed run (1).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof CliError) {
    process.stderr.write(`spotify-pipeline: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  what to do: ${error.hint}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`spotify-pipeline: unexpected failure: ${detail}\n`);
  return 1;
}
