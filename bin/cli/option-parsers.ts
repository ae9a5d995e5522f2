import { CliError } from './cli-error.js';

/** A whole, non-negative number given on the command line; `1_000_000` and `1,000,000` are accepted. */
export function parseWholeNumber(flag: string, text: string): number {
  const cleaned = text.replace(/[_,]/g, '');
  if (!/^\d+$/.test(cleaned) || !Number.isSafeInteger(Number(cleaned))) {
    throw new CliError(`${flag} "${text}" is not a whole number`, `give digits only, e.g. ${flag} 1000`);
  }
  return Number(cleaned);
}

/** A share from 0 to 1 given on the command line. */
export function parseShare(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new CliError(`${flag} "${text}" is not a share from 0 to 1`, `e.g. ${flag} 0.05 for 5%`);
  }
  return value;
}
