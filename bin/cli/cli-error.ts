/**
 * An error meant for the person at the terminal: `message` says what was wrong and where,
 * `hint` says what to do about it. The CLI prints both to stderr and exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What the CLI says of a warehouse whose gold an earlier version built (GoldStateMissingError). */
export const GOLD_BUILT_BEFORE =
  'its gold was built by an earlier version, which rebuilt gold every run and kept none of the state gold is now maintained from';
