/** One measured figure and the baseline measured beside it in the same run. */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: { readonly name: string; readonly value: number; readonly unit: string };
  /** The target, as a person reads it: `>= 200,000 events/s`. */
  readonly target?: string;
}

/** A benchmark module under bench/ exports `run`, which measures and returns its figures. */
export type Benchmark = () => Promise<readonly BenchFigure[]>;

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** `name: value unit (baseline name: value unit; ratio r; target t)`, one line per figure. */
export function formatFigure(figure: BenchFigure): string {
  const ratio =
    figure.baseline.unit === figure.unit
      ? `; ratio ${(figure.value / figure.baseline.value).toFixed(2)}`
      : '';
  const target = figure.target ? `; target ${figure.target}` : '';
  return (
    `${figure.name}: ${number.format(figure.value)} ${figure.unit} ` +
    `(baseline ${figure.baseline.name}: ${number.format(figure.baseline.value)} ${figure.baseline.unit}${ratio}${target})`
  );
}

/** Runs `work` `repeats` times and returns the fastest wall time in seconds: the least disturbed by noise. */
export function fastestSeconds(repeats: number, work: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
}
