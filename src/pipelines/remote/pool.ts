/**
 * Runs `work` over the items with at most `limit` in flight, in order of start. Every item runs even when some fail:
 * the failures come back with their item, so one bad object does not hide the others' outcome.
 */
export const forEachLimit = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<Array<{ item: T; error: unknown }>> => {
  const failures: Array<{ item: T; error: unknown }> = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failures.push({ item, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return failures;
};
