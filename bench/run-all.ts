import { readdirSync } from 'node:fs';
import { type Benchmark, formatFigure } from './bench-figure.js';
import { stopBenchServices } from './support/local-stack-for-bench.js';

/**
 * Runs every `bench/*.bench.ts` (or those whose names contain an argument) one after another and
 * prints one line per figure, each with the baseline measured beside it in the same run.
 */
const filters = process.argv.slice(2);
const files = readdirSync(new URL('.', import.meta.url))
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

try {
  for (const file of files) {
    const { run } = (await import(`./${file}`)) as { run: Benchmark };
    for (const figure of await run()) console.log(formatFigure(figure));
  }
} finally {
  await stopBenchServices();
}
