/**
 * JSON as MLflow writes it: protobuf's JSON mapping spells non-finite doubles as the strings "NaN", "Infinity" and
 * "-Infinity" (plain JSON.stringify would turn them into null and lose the value).
 */
const nonFiniteAsString = (_key: string, value: unknown): unknown =>
  typeof value === "number" && !Number.isFinite(value) ? String(value) : value;

export const stringifyWire = (value: unknown): string => JSON.stringify(value, nonFiniteAsString);

/**
 * Parses a JSON request body. Some old clients post a JSON document that is itself a JSON string holding the
 * message: it is decoded a second time, as MLflow's server does.
 */
export const parseWireBody = (text: string): unknown => {
  if (text.trim() === "") return {};
  const first: unknown = JSON.parse(text);
  return typeof first === "string" ? (JSON.parse(first) as unknown) : first;
};
