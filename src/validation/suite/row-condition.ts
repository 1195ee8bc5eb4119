/**
 * Row conditions of data-test expectations (`carrier = 'AA' AND NOT delay IS NULL`): a small grammar parsed into a
 * tree and compiled to DuckDB SQL in which every literal is a bound parameter and every column a quoted identifier,
 * so a condition can never carry SQL of its own (`x = 1; DROP TABLE data` is refused at the `;`).
 *
 *   condition  := or
 *   or         := and ("OR" and)*
 *   and        := unary ("AND" unary)*
 *   unary      := "NOT" unary | "(" condition ")" | predicate
 *   predicate  := column ( op literal | "IS" ["NOT"] "NULL" | ["NOT"] "IN" "(" literal ("," literal)* ")" )
 *   op         := = | == | != | <> | < | <= | > | >=
 *   column     := name | "quoted name"
 *   literal    := number | 'text' ('' for a quote) | TRUE | FALSE
 */
import { invalidParameter } from "../../core/errors.js";
import { quoteIdentifier, type SqlValue } from "../dataset.js";

export type Literal = number | string | boolean;
export type ComparisonOperator = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type RowCondition =
  | { kind: "and" | "or"; left: RowCondition; right: RowCondition }
  | { kind: "not"; operand: RowCondition }
  | { kind: "compare"; column: string; op: ComparisonOperator; value: Literal }
  | { kind: "is_null"; column: string; negated: boolean }
  | { kind: "in"; column: string; values: Literal[]; negated: boolean };

type Token =
  | { type: "name"; text: string; quoted: boolean; at: number }
  | { type: "number"; value: number; at: number }
  | { type: "string"; value: string; at: number }
  | { type: "op"; text: string; at: number }
  | { type: "punct"; text: "(" | ")" | ","; at: number };

const fail = (source: string, at: number, what: string): never => {
  throw invalidParameter(`row_condition ${JSON.stringify(source)}: ${what} at position ${at + 1}`);
};

const tokenize = (source: string): Token[] => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? "";
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ type: "punct", text: c, at: i });
      i += 1;
    } else if (c === "'" || c === '"') {
      // Quoted text: the quote character doubled inside stands for itself (SQL's rule); no backslash escapes.
      let j = i + 1;
      let text = "";
      for (;;) {
        if (j >= source.length) fail(source, i, "unterminated quote");
        if (source[j] === c) {
          if (source[j + 1] === c) {
            text += c;
            j += 2;
            continue;
          }
          break;
        }
        text += source[j];
        j += 1;
      }
      tokens.push(c === "'" ? { type: "string", value: text, at: i } : { type: "name", text, quoted: true, at: i });
      i = j + 1;
    } else if (/[0-9.]/.test(c) || (c === "-" && /[0-9.]/.test(source[i + 1] ?? ""))) {
      const match = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(source.slice(i));
      if (!match) return fail(source, i, "malformed number");
      tokens.push({ type: "number", value: Number(match[0]), at: i });
      i += match[0].length;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const match = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*/.exec(source.slice(i));
      const text = match?.[0] ?? c;
      tokens.push({ type: "name", text, quoted: false, at: i });
      i += text.length;
    } else {
      const match = /^(==|!=|<>|<=|>=|=|<|>)/.exec(source.slice(i));
      if (!match) return fail(source, i, `unexpected character '${c}' (a condition compares columns with literals: =, !=, <, <=, >, >=, IN, IS NULL, AND, OR, NOT)`);
      tokens.push({ type: "op", text: match[0], at: i });
      i += match[0].length;
    }
  }
  return tokens;
};

const KEYWORDS = new Set(["AND", "OR", "NOT", "IS", "NULL", "IN", "TRUE", "FALSE"]);
const OPERATORS: Record<string, ComparisonOperator> = { "=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };

class Parser {
  private position = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parse(): RowCondition {
    if (this.tokens.length === 0) fail(this.source, 0, "empty condition");
    const condition = this.or();
    const rest = this.tokens[this.position];
    if (rest) fail(this.source, rest.at, "unexpected text after the condition");
    return condition;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private keyword(word: string): boolean {
    const token = this.peek();
    if (token?.type === "name" && !token.quoted && token.text.toUpperCase() === word) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private expectPunct(text: "(" | ")" | ","): void {
    const token = this.peek();
    if (token?.type !== "punct" || token.text !== text) fail(this.source, token?.at ?? this.source.length, `expected '${text}'`);
    this.position += 1;
  }

  private or(): RowCondition {
    let left = this.and();
    while (this.keyword("OR")) left = { kind: "or", left, right: this.and() };
    return left;
  }

  private and(): RowCondition {
    let left = this.unary();
    while (this.keyword("AND")) left = { kind: "and", left, right: this.unary() };
    return left;
  }

  private unary(): RowCondition {
    if (this.keyword("NOT")) return { kind: "not", operand: this.unary() };
    const token = this.peek();
    if (token?.type === "punct" && token.text === "(") {
      this.position += 1;
      const inner = this.or();
      this.expectPunct(")");
      return inner;
    }
    return this.predicate();
  }

  private column(): string {
    const token = this.peek();
    if (token?.type !== "name" || (!token.quoted && KEYWORDS.has(token.text.toUpperCase()))) {
      return fail(this.source, token?.at ?? this.source.length, "expected a column name");
    }
    this.position += 1;
    return token.text;
  }

  private literal(): Literal {
    const token = this.peek();
    if (token?.type === "number" || token?.type === "string") {
      this.position += 1;
      return token.value;
    }
    if (this.keyword("TRUE")) return true;
    if (this.keyword("FALSE")) return false;
    return fail(this.source, token?.at ?? this.source.length, "expected a literal (a number, 'text', TRUE or FALSE)");
  }

  private predicate(): RowCondition {
    const column = this.column();
    if (this.keyword("IS")) {
      const negated = this.keyword("NOT");
      if (!this.keyword("NULL")) fail(this.source, this.peek()?.at ?? this.source.length, "expected NULL");
      return { kind: "is_null", column, negated };
    }
    const negated = this.keyword("NOT");
    if (this.keyword("IN")) {
      this.expectPunct("(");
      const values = [this.literal()];
      while (this.peek()?.type === "punct" && (this.peek() as { text: string }).text === ",") {
        this.position += 1;
        values.push(this.literal());
      }
      this.expectPunct(")");
      return { kind: "in", column, values, negated };
    }
    if (negated) fail(this.source, this.peek()?.at ?? this.source.length, "expected IN after NOT");
    const token = this.peek();
    if (token?.type !== "op") return fail(this.source, token?.at ?? this.source.length, "expected a comparison (=, !=, <, <=, >, >=, IN, IS NULL)");
    this.position += 1;
    return { kind: "compare", column, op: OPERATORS[token.text] ?? "=", value: this.literal() };
  }
}

export const parseRowCondition = (source: string): RowCondition => new Parser(source, tokenize(source)).parse();

/** Every column a condition reads, to check against the dataset before any SQL runs. */
export const conditionColumns = (condition: RowCondition): string[] => {
  switch (condition.kind) {
    case "and":
    case "or":
      return [...conditionColumns(condition.left), ...conditionColumns(condition.right)];
    case "not":
      return conditionColumns(condition.operand);
    default:
      return [condition.column];
  }
};

/** Collects bound parameters while SQL is assembled: `bind(v)` returns the placeholder ($1, $2...) for v. */
export class SqlParameters {
  readonly values: SqlValue[] = [];
  bind(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The condition as SQL over quoted identifiers and bound literals. */
export const compileRowCondition = (condition: RowCondition, params: SqlParameters): string => {
  switch (condition.kind) {
    case "and":
    case "or":
      return `(${compileRowCondition(condition.left, params)} ${condition.kind.toUpperCase()} ${compileRowCondition(condition.right, params)})`;
    case "not":
      return `(NOT ${compileRowCondition(condition.operand, params)})`;
    case "compare":
      return `(${quoteIdentifier(condition.column)} ${condition.op} ${params.bind(condition.value)})`;
    case "is_null":
      return `(${quoteIdentifier(condition.column)} IS ${condition.negated ? "NOT " : ""}NULL)`;
    case "in":
      return `(${quoteIdentifier(condition.column)} ${condition.negated ? "NOT " : ""}IN (${condition.values.map((v) => params.bind(v)).join(", ")}))`;
  }
};
