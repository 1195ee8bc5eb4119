/**
 * An audit event's before_json/after_json as an object, or undefined when absent, not JSON or not an object. Events
 * are read back from a trail written across versions, so readers take what they can rather than throw.
 */
export const parseSnapshot = (text: string | null): Record<string, unknown> | undefined => {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};
