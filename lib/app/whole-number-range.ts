/**
 * The whole numbers a setting may take. A construct keeps the ranges it enforces beside itself, and
 * the configuration reads them from there, so that both refuse the same values in the same words.
 */
export interface WholeNumberRange {
  /** The smallest value allowed. */
  readonly min: number;
  /**
   * The largest value allowed.
   * @default - no upper bound
   */
  readonly max?: number;
  /**
   * What the number counts, for the message (`days`, `retries`).
   * @default - nothing: the setting's name says it
   */
  readonly unit?: string;
}

/**
 * What to use instead of `value` ("use 0 to 10000 (retries)", "use a whole number of days, at
 * least 1"), or `undefined` when `value` is a whole number within `range`.
 */
export function outsideRange(value: number, range: WholeNumberRange): string | undefined {
  const { min, max, unit } = range;
  if (Number.isInteger(value) && value >= min && (max === undefined || value <= max)) return undefined;
  if (max === undefined)
    return `use a whole number of ${unit === undefined ? '' : `${unit}, `}at least ${min}`;
  return `use ${min} to ${max}${unit === undefined ? '' : ` (${unit})`}`;
}
