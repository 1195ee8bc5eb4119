/**
 * The primary key of the last row copied, kept in the progress table so that a re-run continues after it. Stored as
 * JSON of tagged values: SQLite reads integers as bigint here (exact past 2^53), which JSON cannot hold as such.
 */
type Tagged = { i: string } | { r: number | string } | { s: string } | { b: string } | { n: null };

export const encodeKey = (values: readonly unknown[]): string =>
  JSON.stringify(
    values.map((value): Tagged => {
      if (value === null || value === undefined) return { n: null };
      if (typeof value === "bigint") return { i: value.toString() };
      if (typeof value === "number") return { r: Number.isFinite(value) ? value : String(value) };
      if (Buffer.isBuffer(value)) return { b: value.toString("hex") };
      return { s: String(value) };
    }),
  );

export const decodeKey = (text: string): unknown[] =>
  (JSON.parse(text) as Tagged[]).map((tagged) => {
    if ("i" in tagged) return BigInt(tagged.i);
    if ("r" in tagged) return typeof tagged.r === "number" ? tagged.r : Number(tagged.r);
    if ("b" in tagged) return Buffer.from(tagged.b, "hex");
    if ("s" in tagged) return tagged.s;
    return null;
  });
