import { Command, Option } from 'commander';
import {
  DEFAULT_START_MS,
  GeneratorOptionError,
  type GeneratorOptions,
  generateEventLines,
  MAX_SONGS,
  MAX_USERS,
  resolveGeneratorOptions,
  type SkipRateShift,
} from '../../../lambdas/producer/generator/generate-events.js';
import { parseZonedTimestamp } from '../../../lambdas/shared/event-contract/zoned-timestamp.js';
import { CliError } from '../cli-error.js';
import { openLineSink } from '../line-sink.js';
import { parseShare, parseWholeNumber } from '../option-parsers.js';
import { ProgressReporter } from '../progress-reporter.js';

const FLAG_FOR_OPTION: Readonly<Record<keyof GeneratorOptions, string>> = {
  seed: '--seed',
  count: '--count',
  users: '--users',
  songs: '--songs',
  startMs: '--start',
  faultRate: '--faults',
  countries: '--countries',
  eventsPerSecond: '--rate',
  skipRateShifts: '--anomaly',
};

/** The flags as commander hands them over: every value as typed, `--anomaly` once per use. */
interface GenerateFlags {
  readonly seed: string;
  readonly count: string;
  readonly users: string;
  readonly songs: string;
  readonly start: string;
  readonly faults: string;
  readonly anomaly?: readonly string[];
  readonly out?: string;
}

const ANOMALY_EXAMPLE = '--anomaly song_000003:2026-01-10:0.9';

export function generateCommand(): Command {
  return new Command('generate')
    .description('Write realistic listening events as NDJSON, deterministic in its options.')
    .addOption(
      new Option(
        '--seed <n>',
        'random seed: the same seed and options give byte-identical output',
      ).makeOptionMandatory(),
    )
    .addOption(new Option('--count <n>', 'lines to write, faults included').makeOptionMandatory())
    .option('--users <n>', `users in the catalogue (1 to ${MAX_USERS.toLocaleString('en-US')})`, '20')
    .option('--songs <n>', `songs in the catalogue (1 to ${MAX_SONGS.toLocaleString('en-US')})`, '6')
    .option(
      '--start <iso>',
      'time of the first session, with a zone',
      new Date(DEFAULT_START_MS).toISOString(),
    )
    .option(
      '--faults <rate>',
      'share of lines (0 to 1) that are duplicates, late events or malformed records',
      '0',
    )
    .option(
      '--anomaly <song:day:rate>',
      `inject a skip-rate shift: the song is skipped at the rate (0 to 1) on that UTC day (YYYY-MM-DD) instead of at its usual rate, e.g. ${ANOMALY_EXAMPLE}; repeat the flag for more`,
      (value: string, previous: readonly string[] = []) => [...previous, value],
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  spotify-pipeline generate --seed 7 --count 100000 > events.ndjson\n' +
        '  spotify-pipeline generate --seed 7 --count 1000 --faults 0.05 --out faulty.ndjson\n' +
        '  spotify-pipeline generate --seed 5 --count 30000 --users 200 --songs 20 \\\n' +
        '    --anomaly song_000003:2026-01-03:0.95 --out shifted.ndjson',
    )
    .action(async (flags: GenerateFlags) => {
      const options = parseGenerateFlags(flags);
      await writeEvents(options, flags.out);
    });
}

function parseGenerateFlags(flags: GenerateFlags): GeneratorOptions {
  const start = parseZonedTimestamp(flags.start);
  if (!start.ok) {
    throw new CliError(
      `--start "${flags.start}" ${start.reason}`,
      'give a time with a zone, e.g. --start 2026-01-01T00:00:00Z',
    );
  }
  const options: GeneratorOptions = {
    seed: parseWholeNumber('--seed', flags.seed),
    count: parseWholeNumber('--count', flags.count),
    users: parseWholeNumber('--users', flags.users),
    songs: parseWholeNumber('--songs', flags.songs),
    startMs: start.epochMs,
    faultRate: parseShare('--faults', flags.faults),
    skipRateShifts: (flags.anomaly ?? []).map(parseAnomaly),
  };
  try {
    resolveGeneratorOptions(options);
  } catch (error) {
    if (error instanceof GeneratorOptionError) {
      throw new CliError(
        `${FLAG_FOR_OPTION[error.option]}: ${error.message}`,
        'see spotify-pipeline generate --help',
      );
    }
    throw error;
  }
  return options;
}

/**
 * One `--anomaly SONG_ID:DAY:RATE`. Only its shape is checked here; whether the song, the day and
 * the rate are valid the generator says, as it does for every option.
 */
function parseAnomaly(text: string): SkipRateShift {
  const parts = text.split(':');
  if (parts.length !== 3 || parts.some((part) => part.trim() === '')) {
    throw new CliError(
      `--anomaly "${text}" is not SONG_ID:DAY:RATE`,
      `e.g. ${ANOMALY_EXAMPLE} to skip song_000003 at 90% on 2026-01-10 (UTC)`,
    );
  }
  const [songId, day, rate] = parts as [string, string, string];
  const skipRate = Number(rate);
  if (!Number.isFinite(skipRate)) {
    throw new CliError(
      `--anomaly "${text}": the rate "${rate}" is not a number`,
      `give a share from 0 to 1 last, e.g. ${ANOMALY_EXAMPLE}`,
    );
  }
  return { songId, day, skipRate };
}

async function writeEvents(options: GeneratorOptions, outPath: string | undefined): Promise<void> {
  const sink = await openLineSink(outPath);
  const progress = new ProgressReporter('generated', options.count, 'events');
  let written = 0;
  try {
    for (const line of generateEventLines(options)) {
      const accepted = sink.write(line.text);
      // Await only when the sink flushed a chunk: an await per line would cost more than the line.
      if (accepted !== true && !(await accepted)) break;
      written++;
      if ((written & 0x3fff) === 0) progress.update(written);
    }
  } finally {
    await sink.close();
    progress.finish(written);
  }
}
