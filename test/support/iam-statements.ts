/** One statement of an IAM policy, as a template writes it. */
export interface StatementJson {
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** IAM's wildcard match (`*` any run of characters, `?` one), as in Action and Resource. */
export function iamPatternMatches(pattern: string, value: string, { ignoreCase = false } = {}): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, ignoreCase ? 'is' : 's').test(value);
}

/** Whether `statement` names `action` (case-insensitively, as IAM compares actions). */
export function statementNamesAction(statement: StatementJson, action: string): boolean {
  return [statement.Action ?? []]
    .flat()
    .some((pattern) => iamPatternMatches(pattern, action, { ignoreCase: true }));
}

/** Whether `statement` allows `action` on `resource`, leaving its conditions aside. */
export function statementAllows(statement: StatementJson, action: string, resource: string): boolean {
  return (
    statement.Effect === 'Allow' &&
    statementNamesAction(statement, action) &&
    [statement.Resource ?? []].flat().some((pattern) => iamPatternMatches(String(pattern), resource))
  );
}

/**
 * Whether the conditions of `statement` hold for a request with `context` (its condition keys).
 * Only the operators the pipeline's policies use are evaluated, as IAM does: StringEquals and
 * StringLike, a key absent from the request failing the condition, Bool, and Null ("true": the key
 * is absent). Any other operator throws, naming it, so that a new one is added here before a test
 * relies on it.
 */
export function conditionsHold(statement: StatementJson, context: Readonly<Record<string, string>>): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      if (operator === 'Null') return String(expected) === String(actual === undefined);
      if (operator === 'Bool') return actual !== undefined && String(expected) === actual;
      if (operator !== 'StringEquals' && operator !== 'StringLike')
        throw new Error(
          `the condition operator ${operator} (on ${key}) is not evaluated: add it to test/support/iam-statements.ts`,
        );
      if (actual === undefined) return false;
      return [expected]
        .flat()
        .some((value) => (operator === 'StringEquals' ? value === actual : iamPatternMatches(value, actual)));
    }),
  );
}

/**
 * Whether a Deny statement of a bucket policy refuses `action` on `resource` for a request with
 * `context`: it names both, and its conditions hold. (Its Principal is taken as matching: the
 * pipeline's bucket policies deny everyone alike.)
 */
export function statementDenies(
  statement: StatementJson,
  action: string,
  resource: string,
  context: Readonly<Record<string, string>>,
): boolean {
  return (
    statement.Effect === 'Deny' &&
    statementNamesAction(statement, action) &&
    [statement.Resource ?? []].flat().some((pattern) => iamPatternMatches(String(pattern), resource)) &&
    conditionsHold(statement, context)
  );
}
