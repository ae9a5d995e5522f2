import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchFigure } from './bench-figure.js';
import { benchServices } from './support/local-stack-for-bench.js';

const run_ = promisify(execFile);
const ONCE = fileURLToPath(new URL('./support/consumer-handler-once.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));

interface Measurement {
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly megabytes: number;
}

async function measure(mode: 'handler' | 'bare', s3Endpoint: string): Promise<Measurement> {
  const { stdout } = await run_(process.execPath, [TSX, ONCE, mode, s3Endpoint], { maxBuffer: 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measurement;
}

/** The consumer's handler core on a 10,000-record, ~5 MB batch against a bare decode-parse-gzip loop. */
export async function run(): Promise<readonly BenchFigure[]> {
  const { s3Endpoint } = await benchServices();
  let best: Record<'handler' | 'bare', Measurement | undefined> = { handler: undefined, bare: undefined };
  for (let round = 0; round < 3; round++) {
    for (const mode of ['bare', 'handler'] as const) {
      const result = await measure(mode, s3Endpoint);
      if (best[mode] === undefined || result.seconds < best[mode]!.seconds)
        best = { ...best, [mode]: result };
    }
  }
  const handler = best.handler!;
  const bare = best.bare!;
  return [
    {
      name: `consumer.handler_10k_records_${handler.megabytes.toFixed(1)}MB`,
      value: handler.seconds * 1000,
      unit: 'ms',
      baseline: { name: 'bare decode+parse+gzip loop', value: bare.seconds * 1000, unit: 'ms' },
      target: '<= 2.5 x the baseline',
    },
    {
      name: 'consumer.handler_peak_rss',
      value: handler.maxRssMb,
      unit: 'MB',
      baseline: { name: 'bare loop peak rss', value: bare.maxRssMb, unit: 'MB' },
      target: '<= 256 MB',
    },
  ];
}
