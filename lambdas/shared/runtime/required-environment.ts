/**
 * Reads the environment variables a function needs, once, at cold start, and fails loudly naming
 * every missing one, rather than failing later on the first event.
 */
export function requiredEnvironment<const Names extends readonly string[]>(
  names: Names,
  environment: NodeJS.ProcessEnv = process.env,
): Record<Names[number], string> {
  const missing = names.filter((name) => !environment[name]);
  if (missing.length > 0) {
    throw new Error(`missing environment variable(s) ${missing.join(', ')}: the deployment must set them`);
  }
  return Object.fromEntries(names.map((name) => [name, environment[name]!])) as Record<Names[number], string>;
}
