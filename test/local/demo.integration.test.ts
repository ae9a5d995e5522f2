import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { ListeningEvent } from '../../lambdas/shared/event-contract/listening-event.js';
import { parseListeningEventJson } from '../../lambdas/shared/event-contract/validate-listening-event.js';
import { GOLD_REPORT_MODELS } from '../../lambdas/shared/transform/gold-report.js';
import { runDemo } from '../../local/demo/run-demo.js';
import { comparable, expectedGold } from '../lambdas/shared/transform/expected-gold.js';

describe('the pipeline end to end on the local services: the demo’s path', () => {
  it('GIVEN seeded events with injected faults WHEN produced, consumed, loaded and transformed THEN every gold KPI equals what the events say, computed independently', async () => {
    // Act: the demo's path on the real broker, the real S3 server and an embedded warehouse.
    const run = await runDemo({
      events: 4_000,
      seed: 23,
      faultRate: 0.08,
      kafkaBrokers: inject('kafkaBrokers'),
      s3Endpoint: inject('s3Endpoint'),
      workDir: mkdtempSync(join(tmpdir(), 'demo-')),
    });

    // Assess: the accepted events, once each, straight from what was produced.
    const accepted = new Map<string, ListeningEvent>();
    let malformed = 0;
    for (const line of run.producedLines) {
      const result = parseListeningEventJson(line);
      if (!result.ok) malformed++;
      else if (!accepted.has(result.event.event_id)) accepted.set(result.event.event_id, result.event);
    }
    expect(run).toMatchObject({
      eventsProduced: 4_000,
      recordsConsumed: 4_000,
      recordsQuarantined: malformed,
      rowsLoaded: accepted.size,
    });
    expect(malformed).toBeGreaterThan(100);
    const expected = expectedGold([...accepted.values()]);
    for (const model of GOLD_REPORT_MODELS) {
      expect(comparable({ [model]: run.report[model] } as never), model).toEqual(
        comparable({ [model]: expected[model] } as never),
      );
    }
    expect(run.report.daily_active_users.length).toBeGreaterThan(3);
    expect(run.stages.map((stage) => stage.name)).toEqual([
      'produce',
      'consume',
      'load',
      'transform',
      'report',
    ]);
  });
});
