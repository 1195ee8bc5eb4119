/**
 * Runs `fn` over `items` with at most `limit` calls in flight, results in input order. Data work touches many files:
 * starting them all at once would open thousands of file descriptors (EMFILE) and thrash the disk.
 */
export const mapBounded = async <T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
};
