import { Catalogue } from '../lambdas/producer/generator/catalogue.js';
import { generateEventLines } from '../lambdas/producer/generator/generate-events.js';
import { DEFAULT_COUNTRIES } from '../lambdas/shared/event-contract/listening-event.js';
import { type BenchFigure, fastestSeconds } from './bench-figure.js';

const EVENTS = 500_000;

const WARM_UP_EVENTS = 100_000;

/**
 * Steady-state generation speed: the catalogue is built and the first events (while sessions open
 * up to their steady number) are drawn before the clock starts; the catalogue is timed on its own.
 */
function eventsPerSecond(users?: number, songs?: number): number {
  const lines = generateEventLines({ seed: 7, count: WARM_UP_EVENTS + EVENTS, users, songs });
  for (let i = 0; i < WARM_UP_EVENTS; i++) lines.next();
  let characters = 0;
  const seconds = fastestSeconds(1, () => {
    for (let i = 0; i < EVENTS; i++) characters += lines.next().value?.text.length ?? 0;
  });
  if (characters === 0) throw new Error('the generator produced nothing');
  return EVENTS / seconds;
}

function bestOf(repeats: number, measure: () => number): number {
  let best = 0;
  for (let i = 0; i < repeats; i++) best = Math.max(best, measure());
  return best;
}

/**
 * The floor any NDJSON writer pays: JSON.stringify of ready-made event objects of the same shape,
 * with nothing to simulate or draw.
 */
function stringifyPrebuiltEvents(count: number): number {
  const events = [...generateEventLines({ seed: 7, count: 1_000 })].map((line) => JSON.parse(line.text));
  let characters = 0;
  for (let i = 0; i < count; i++) characters += JSON.stringify(events[i % events.length]).length;
  return characters;
}

export async function run(): Promise<readonly BenchFigure[]> {
  stringifyPrebuiltEvents(50_000);
  const baselineSeconds = fastestSeconds(3, () => stringifyPrebuiltEvents(EVENTS));
  const baseline = {
    name: 'JSON.stringify of prebuilt events',
    value: EVENTS / baselineSeconds,
    unit: 'events/s',
  };
  const defaultRate = bestOf(3, () => eventsPerSecond());
  const largeRate = bestOf(3, () => eventsPerSecond(1_000_000, 100_000));
  const catalogueSeconds = fastestSeconds(3, () => {
    new Catalogue({ seed: 7, users: 1_000_000, songs: 100_000, countries: DEFAULT_COUNTRIES });
  });
  return [
    {
      name: 'generator.default_catalogue',
      value: defaultRate,
      unit: 'events/s',
      baseline,
      target: '>= 200,000 events/s',
    },
    {
      name: 'generator.1m_users_100k_songs',
      value: largeRate,
      unit: 'events/s',
      baseline: { name: 'generator.default_catalogue', value: defaultRate, unit: 'events/s' },
      target: '>= 200,000 events/s',
    },
    {
      name: 'generator.catalogue_build_1m_users_100k_songs',
      value: catalogueSeconds * 1000,
      unit: 'ms',
      baseline: {
        name: 'generating 500,000 default events',
        value: (EVENTS / defaultRate) * 1000,
        unit: 'ms',
      },
    },
  ];
}
