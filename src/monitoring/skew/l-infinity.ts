/**
 * TFDV's L-infinity distance between two category count vectors (anomalies/metrics.cc, LInftyDistance with
 * kSeparateTotal): each side normalised by its own total, then the largest absolute difference over the union of
 * categories. Returns the category where it is reached (ties: the last in key order, as TFDV's `>=` scan over a
 * sorted std::map) and the distance. An empty side has no distribution: distance 0 with no category.
 */
export const lInfinityDistance = (
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
): { distance: number; category?: string } => {
  const totalA = sum(a);
  const totalB = sum(b);
  if (totalA === 0 || totalB === 0) return { distance: 0 };
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort(compareCodeUnits);
  let distance = 0;
  let category: string | undefined;
  for (const key of keys) {
    const difference = Math.abs((a.get(key) ?? 0) / totalA - (b.get(key) ?? 0) / totalB);
    if (difference >= distance) {
      distance = difference;
      category = key;
    }
  }
  return category === undefined ? { distance } : { distance, category };
};

const sum = (counts: ReadonlyMap<string, number>): number => {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
};

/** std::map<string> orders by bytes; for the BMP this is UTF-16 code-unit order, which is what < on strings does. */
const compareCodeUnits = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
