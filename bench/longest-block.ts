const round = (value: number): number => Number(value.toFixed(3));

/** The longest gap between 1 ms timer ticks (how long a /health request could wait) while `work` runs. */
export const longestBlock = async (work: () => Promise<void>): Promise<{ max_block_ms: number; total_ms: number }> => {
  let last = performance.now();
  let longest = 0;
  const ping = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 10));
  const started = performance.now();
  await work();
  const total = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 10));
  clearInterval(ping);
  return { max_block_ms: round(longest), total_ms: round(total) };
};
