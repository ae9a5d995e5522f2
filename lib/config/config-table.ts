import { outsideRange, type WholeNumberRange } from '../app/whole-number-range.js';

/**
 * Reading a configuration as tables: each section is an object of keys, each key read with its
 * default and its rule, and every refusal names the key's path and what to use instead.
 */

/** Thrown for any invalid configuration; the message names the key and the allowed values. */
export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
}

/** Reads one key: its raw value (`undefined` when absent), at `path` in the context. */
export type Read<T> = (raw: unknown, path: string) => T;
/** A section's keys, each with how to read it. */
export type Table = Record<string, Read<unknown>>;
/** What a table reads: one value per key. */
export type Values<T extends Table> = { readonly [K in keyof T]: ReturnType<T[K]> };
/** What to use instead of a value, or `undefined` when it is allowed. */
export type Rule<T> = (value: T) => string | undefined;

export function fail(message: string): never {
  throw new PipelineConfigError(message);
}

export function refuse(path: string, value: unknown, instead: string): never {
  return fail(`${path} is ${JSON.stringify(value)}: ${instead}`);
}

/** Readers of one kind of value, each with its default (or what to do when absent) and its rule. */
export function readerOf<T>(isKind: (raw: unknown) => raw is T, instead: string) {
  return (fallback: T | { readonly ifMissing: string }, rule?: Rule<T>): Read<T> =>
    (raw, path) => {
      if (raw === undefined) {
        const ifMissing = (fallback as { ifMissing?: string }).ifMissing;
        return ifMissing === undefined ? (fallback as T) : fail(`${path} is missing: ${ifMissing}`);
      }
      if (!isKind(raw)) return refuse(path, raw, instead);
      const problem = rule?.(raw);
      return problem === undefined ? raw : refuse(path, raw, problem);
    };
}

export const integer = readerOf((raw): raw is number => Number.isInteger(raw), 'it must be a whole number');
export const decimal = readerOf((raw): raw is number => Number.isFinite(raw), 'it must be a number');
export const text = readerOf(
  (raw): raw is string => typeof raw === 'string' && raw !== '',
  'it must be a non-empty string',
);
export const flag = readerOf((raw): raw is boolean => typeof raw === 'boolean', 'use true or false');
/** A whole number within a range (the construct's, or AWS's), or that a rule allows; `fallback` when absent. */
export function whole(fallback: number, check?: WholeNumberRange | Rule<number>): Read<number> {
  return integer(fallback, (value) =>
    typeof check === 'function' ? check(value) : check && outsideRange(value, check),
  );
}

export function between(min: number, max: number, unit: string): WholeNumberRange {
  return { min, max, unit };
}

/** An object read key by key through `table` (all defaults when absent), then checked across keys. */
export function section<T extends Table>(
  table: T,
  check?: (values: Values<T>, path: string) => string | undefined,
) {
  return (raw: unknown, path: string): Values<T> => {
    const record = raw === undefined ? {} : requireRecord(raw, path);
    const entries = Object.entries(table).map(([key, read]) => [key, read(record[key], `${path}.${key}`)]);
    const values = Object.fromEntries(entries) as Values<T>;
    const problem = check?.(values, path);
    return problem === undefined ? values : fail(problem);
  };
}

/** A table of every key of `defaults`, each read with its default. */
export function eachKey<T extends Record<keyof T, number>>(
  defaults: T,
  read: (fallback: number) => Read<number>,
) {
  const entries = Object.entries<number>(defaults).map(([key, fallback]) => [key, read(fallback)]);
  return Object.fromEntries(entries) as Record<keyof T, Read<number>>;
}

export function requireRecord(value: unknown, path: string): Record<string, unknown> {
  return isRecord(value) ? value : refuse(path, value, 'it must be an object');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
