/**
 * The smallest string greater than every string starting with `prefix`, comparing code points (SQLite's BINARY
 * collation on UTF-8, PostgreSQL's COLLATE "C"): a prefix filter becomes a range on an index rather than LIKE, whose
 * wildcards and case folding would need escaping. Undefined when no such string exists (empty prefix, U+10FFFF).
 */
export const prefixUpperBound = (prefix: string): string | undefined => {
  const points = [...prefix];
  const last = points.pop();
  if (last === undefined) return undefined;
  let next = (last.codePointAt(0) ?? 0) + 1;
  if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
  if (next > 0x10ffff) return undefined;
  return points.join("") + String.fromCodePoint(next);
};
