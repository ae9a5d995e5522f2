import type { ListeningEvent } from '../shared/event-contract/listening-event.js';
import {
  describeProblems,
  parseListeningEventJson,
} from '../shared/event-contract/validate-listening-event.js';

export interface StagedRow {
  readonly event: ListeningEvent;
  readonly lineNumber: number;
}

export interface RejectedLine {
  readonly lineNumber: number;
  readonly rawLine: string;
  readonly reason: string;
}

/**
 * A lake file's lines, checked once more against the contract on their way into the warehouse
 * (a file in bronze/ may have been put there by hand or by another writer): events to stage, and
 * the lines that are not, each with its reason. Line numbers start at 1.
 */
export function parseBronzeFile(text: string): { rows: StagedRow[]; rejects: RejectedLine[]; lines: number } {
  const rows: StagedRow[] = [];
  const rejects: RejectedLine[] = [];
  let lineNumber = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    lineNumber++;
    if (line === '' && start >= text.length) break;
    const result = parseListeningEventJson(line);
    if (result.ok) rows.push({ event: result.event, lineNumber });
    else rejects.push({ lineNumber, rawLine: line, reason: describeProblems(result.problems) });
  }
  return { rows, rejects, lines: lineNumber };
}
