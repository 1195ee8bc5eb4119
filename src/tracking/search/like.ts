/**
 * SQL LIKE as SQLite evaluates it with case-sensitive LIKE: `%` any run of characters, `_` exactly one character
 * (a code point, not a UTF-16 unit), no escape character, everything else literal. ILIKE folds ASCII letters only,
 * which is what SQLite can do without ICU; the SQL stores and this evaluator must agree on it.
 */
const cache = new Map<string, RegExp>();

export function likeToRegExp(pattern: string): RegExp {
  let regex = cache.get(pattern);
  if (regex === undefined) {
    let source = "^";
    for (const ch of pattern) {
      if (ch === "%") source += "[\\s\\S]*";
      else if (ch === "_") source += "[\\s\\S]";
      else source += ch.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
    }
    regex = new RegExp(`${source}$`, "u");
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, regex);
  }
  return regex;
}

export const foldAsciiCase = (text: string): string => text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());

export const like = (value: string, pattern: string): boolean => likeToRegExp(pattern).test(value);

export const ilike = (value: string, pattern: string): boolean =>
  likeToRegExp(foldAsciiCase(pattern)).test(foldAsciiCase(value));

/** Code point order, which is also UTF-8 byte order: SQLite's BINARY collation. JS `<` compares UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0);
  }
  return a.length - b.length;
}
