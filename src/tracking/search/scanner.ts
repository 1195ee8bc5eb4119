import { invalidParameter, type CairnError } from "../../core/errors.js";

/**
 * A character cursor over one search expression (run filter, order_by clause, experiment filter). The parsers read
 * it directly (scannerless recursive descent) because what a token is depends on where it stands: `1e5` is a
 * number in value position, `metrics.a.b` is one identifier in key position. Errors carry the 0-based position.
 */

/** Characters of an unquoted key, as sqlparse (MLflow's tokenizer) accepts them in a name. */
const WORD_CHAR = /[\p{L}\p{N}_$#]/u;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const OPERATOR = /[<>=!~]+/y;

export class Scanner {
  pos = 0;

  constructor(
    readonly text: string,
    /** Named in errors: "filter", "order_by clause". */
    readonly what: string,
  ) {}

  fail(message: string, at: number = this.pos): CairnError {
    // The text is echoed so the client sees what was parsed; a long one is cut (filters may be 10,000 chars).
    const shown = this.text.length > 200 ? `${this.text.slice(0, 200)}...` : this.text;
    return invalidParameter(`${message} (at position ${at} of ${this.what} '${shown}')`);
  }

  skipWhitespace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? "")) this.pos++;
  }

  atEnd(): boolean {
    this.skipWhitespace();
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? "";
  }

  isWordChar(ch: string): boolean {
    return ch !== "" && WORD_CHAR.test(ch);
  }

  /** A run of word characters (plus `.` when `allowDots`), or undefined when none starts here. */
  readWord(allowDots = false): string | undefined {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos] ?? "";
      if (this.isWordChar(ch) || (allowDots && ch === ".")) this.pos++;
      else break;
    }
    return this.pos > start ? this.text.slice(start, this.pos) : undefined;
  }

  /** Reads a case-insensitive keyword if the next word is exactly it; leaves the cursor alone otherwise. */
  readKeyword(keyword: string): boolean {
    this.skipWhitespace();
    const start = this.pos;
    const word = this.readWord();
    if (word !== undefined && word.toUpperCase() === keyword) return true;
    this.pos = start;
    return false;
  }

  /**
   * A quoted string starting at the cursor (which is on the quote). A doubled quote inside stands for one quote,
   * as in SQL; nothing else is an escape, so backslashes, `%` and `_` are plain data.
   */
  readQuoted(): string {
    const quote = this.peek();
    const start = this.pos;
    this.pos++;
    let value = "";
    for (;;) {
      const next = this.text.indexOf(quote, this.pos);
      if (next < 0) throw this.fail(`Unterminated ${describeQuote(quote)} string`, start);
      value += this.text.slice(this.pos, next);
      if (this.text[next + 1] === quote) {
        value += quote;
        this.pos = next + 2;
      } else {
        this.pos = next + 1;
        return value;
      }
    }
  }

  /** A numeric literal as sqlparse reads one (optional minus, integer, decimal, exponent), not glued to a word. */
  readNumber(): { text: string; value: number } | undefined {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return undefined;
    const end = this.pos + match[0].length;
    const after = this.text[end] ?? "";
    if (this.isWordChar(after) || after === ".") return undefined;
    this.pos = end;
    return { text: match[0], value: Number(match[0]) };
  }

  readOperator(): string | undefined {
    OPERATOR.lastIndex = this.pos;
    const match = OPERATOR.exec(this.text);
    if (!match) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  /** The raw text of the token at the cursor, for error messages (does not move the cursor). */
  tokenAt(at: number = this.pos): string {
    const rest = this.text.slice(at);
    const match = /^(?:'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`[^`]*`?|[\p{L}\p{N}_$#.+-]+|[<>=!~]+|\S)/u.exec(rest);
    return match ? match[0] : "";
  }
}

export const describeQuote = (quote: string): string =>
  quote === "'" ? "single-quoted" : quote === '"' ? "double-quoted" : "backtick-quoted";

/** At most this many values in one IN list: lists are bounded like every other part of a request. */
export const MAX_LIST_VALUES = 1000;

const LIST_PROBLEM = "While parsing a list in the query, expected a non-empty list of string values, but got";

/**
 * `('a', "b")` at the cursor: a non-empty, parenthesised, comma-separated list of quoted strings, as the run, trace
 * and logged-model filters read the values of IN and NOT IN, with MLflow's messages. `namesEmptyList` gives `()` the
 * run filter's own message ("got empty list"); the other filters call it ill-formed.
 */
export function readQuotedList(scanner: Scanner, options: { namesEmptyList?: boolean } = {}): string[] {
  const start = scanner.pos;
  const illFormed = (): Error => scanner.fail(`${LIST_PROBLEM} ill-formed list`, start);
  if (scanner.peek() !== "(") throw illFormed();
  scanner.pos++;
  scanner.skipWhitespace();
  if (options.namesEmptyList === true && scanner.peek() === ")") throw scanner.fail(`${LIST_PROBLEM} empty list`, start);
  const values: string[] = [];
  for (;;) {
    scanner.skipWhitespace();
    const quote = scanner.peek();
    if (quote !== "'" && quote !== '"') throw illFormed();
    values.push(scanner.readQuoted());
    if (values.length > MAX_LIST_VALUES) throw scanner.fail(`A list holds at most ${MAX_LIST_VALUES} values`, start);
    scanner.skipWhitespace();
    const next = scanner.peek();
    scanner.pos++;
    if (next === ")") return values;
    if (next !== ",") throw illFormed();
  }
}
