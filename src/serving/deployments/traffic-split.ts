import { createHash } from "node:crypto";

/**
 * A stable point in [0, 1) for a routing key: the first 48 bits of its SHA-256. The same key lands on the same
 * side of a split in every process and after restarts, and changing the weight moves only the keys between the old
 * and the new boundary.
 */
export const stableUnit = (key: string): number => {
  const digest = createHash("sha256").update(key).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
};

/** True when this request goes to the canary: by the key's stable point when sticky and keyed, else at random. */
export const routesToCanary = (weight: number, sticky: boolean, routingKey: string | undefined, random: () => number): boolean => {
  if (weight <= 0) return false;
  if (weight >= 1) return true;
  const point = sticky && routingKey !== undefined ? stableUnit(routingKey) : random();
  return point < weight;
};
