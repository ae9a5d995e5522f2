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
