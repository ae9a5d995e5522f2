/**
 * The oldest Node.js major line the command-line tool supports: the oldest maintained LTS line.
 * package.json's "engines" says the same, the shim warns below it, and the tests run the tool on it.
 */
export const OLDEST_SUPPORTED_NODE_MAJOR = 22;

/** A warning for a Node.js older than the tool supports, or null. */
export function unsupportedNodeWarning(version: string): string | null {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (!(major < OLDEST_SUPPORTED_NODE_MAJOR)) return null;
  return (
    `spotify-pipeline: warning: Node.js ${version} is older than the ${OLDEST_SUPPORTED_NODE_MAJOR} this tool supports and is tested on` +
    ' (Node.js 20 reached its end of life in April 2026, and the AWS SDK drops it in 2027): install Node.js 22 or 24\n'
  );
}
