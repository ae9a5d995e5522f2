/**
 * `work` on every item, at most `limit` at a time: enough requests in flight to hide S3's latency,
 * few enough not to flood a small function. Results come back in the items' order; the first
 * failure rejects (the others already started run to their end).
 */
export async function mapInParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
