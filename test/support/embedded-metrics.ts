import { vi } from 'vitest';

/**
 * The embedded-metric-format documents in what a function printed: Powertools Metrics writes each
 * as one JSON line to stdout, among the logger's lines, and only those carry `_aws`.
 */
export function emfDocumentsIn(printed: string): Record<string, unknown>[] {
  return printed
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((document) => '_aws' in document);
}

/** The embedded-metric-format documents Powertools printed to stdout while `act` ran. */
export function emfPrintedBy(act: () => void): Record<string, unknown>[] {
  const printed: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    stdout.mockRestore();
  }
  return emfDocumentsIn(printed.join('\n'));
}
