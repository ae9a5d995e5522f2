import { describe, expect, it } from 'vitest';
import { problemKindOf, problemKindOfLine } from '../../../../bin/cli/dashboard/lake-health.js';
import {
  describeProblems,
  parseListeningEventJson,
} from '../../../../lambdas/shared/event-contract/validate-listening-event.js';
import { aListeningEventRecord } from '../../../support/listening-event-factory.js';

/** What the consumer's contract check says of a line, as a quarantine record carries it. */
function quarantined(line: string) {
  const result = parseListeningEventJson(line);
  if (result.ok) throw new Error(`the line is valid: ${line}`);
  return { problems: result.problems, reason: describeProblems(result.problems) };
}

describe('the kinds of quarantined records the health panel counts', () => {
  it('GIVEN records cut off at different places THEN they are one kind, without the parser’s position', () => {
    const event = JSON.stringify(aListeningEventRecord());
    const kinds = [20, 57, 130].map((length) => problemKindOf(quarantined(event.slice(0, length))));

    expect(new Set(kinds).size).toBe(1);
    expect(kinds[0]).toMatch(/^\(record\) is not valid JSON$/);
  });

  it('GIVEN the same field wrong with different values THEN they are one kind that names the field, not the value', () => {
    const kinds = ['tablet', 'fridge'].map((device) =>
      problemKindOf(quarantined(JSON.stringify({ ...aListeningEventRecord(), device_type: device }))),
    );

    expect(kinds[0]).toBe(kinds[1]);
    expect(kinds[0]).toMatch(/^device_type /);
    expect(kinds[0]).not.toContain('tablet');
  });

  it('GIVEN quarantine lines this version cannot read THEN they are one kind of their own, never a failure', () => {
    const kinds = [
      'not json',
      '[1, 2]',
      JSON.stringify({ reason: 'x' }),
      JSON.stringify({ problems: 'x', reason: 'y' }),
    ].map(problemKindOfLine);

    expect(new Set(kinds)).toEqual(new Set(['a quarantine line this version cannot read']));
  });
});
