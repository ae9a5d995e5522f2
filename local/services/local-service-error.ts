/**
 * A local service could not be installed, started or stopped. `message` says what went wrong and
 * where (a port, a log file, a command); `hint` says what the user can do about it.
 *
 * This module does not import the CLI's `CliError` (the CLI depends on `local/`, not the other way
 * round); `bin/cli/commands/local.ts` turns this error into one, hint included.
 */
export class LocalServiceError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'LocalServiceError';
  }
}
