import { CairnError, ErrorCode } from "../../core/errors.js";

/**
 * Reads one request's fields, from a JSON body or a query string, with MLflow's leniency (int64 as number or
 * numeric string, doubles as "NaN"/"Infinity" strings, single query values where a list is expected) and MLflow's
 * error messages, which name the field. Every route parses through it, so the domain only sees typed values.
 */
export type RawFields = Record<string, unknown>;

const INT64_MAX = 9223372036854775807n;
/** With the u flag a surrogate range matches only unpaired halves; paired ones form one code point. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const INT64_MIN = -9223372036854775808n;

const describe = (value: unknown): string => {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  return typeof value === "object" ? "dict" : typeof value;
};

const stringifyForMessage = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Deeply nested input (100k arrays) overflows JSON.stringify's recursion: name the type instead of crashing.
    return `<deeply nested ${describe(value)}>`;
  }
};

const shown = (value: unknown): string => {
  const text = typeof value === "string" ? `'${value}'` : stringifyForMessage(value);
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
};

export const invalidValue = (field: string, value: unknown, hint?: string): CairnError =>
  new CairnError(
    ErrorCode.INVALID_PARAMETER_VALUE,
    `Invalid value ${shown(value)} for parameter '${field}' supplied${hint ? `: ${hint}` : ""}.`,
  );

export const missingValue = (field: string): CairnError =>
  new CairnError(
    ErrorCode.INVALID_PARAMETER_VALUE,
    `Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`,
  );

export interface ListBounds {
  maxItems?: number;
  maxLength?: number;
}

/**
 * Bounds of the id lists of search requests: ids are short (an experiment id is an int64 in decimal, a run id 32
 * hex digits, a trace id `tr-` and 32 hex digits), so 256 characters is far above any real one; 1,000 experiments
 * per search is more than a UI comparison sends.
 */
export const SEARCH_IDS: ListBounds = { maxItems: 1000, maxLength: 256 };
/** order_by clauses: a column name and a direction; 100 clauses of 1,000 characters each. */
export const ORDER_BY_CLAUSES: ListBounds = { maxItems: 100, maxLength: 1000 };

export class Fields {
  constructor(
    private readonly raw: RawFields,
    /** Prefix used in error messages for nested objects, e.g. "metrics[3]". */
    private readonly path = "",
    /** Query strings repeat keys for lists; a scalar field then takes the first value, as Flask's args.get does. */
    private readonly fromQueryString = false,
  ) {}

  static fromQuery(raw: RawFields): Fields {
    return new Fields(raw, "", true);
  }

  static of(value: unknown, path: string): Fields {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw invalidValue(path, value, `expected an object, got ${describe(value)}`);
    }
    return new Fields(value as RawFields, path);
  }

  private name(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }

  private scalar(field: string): unknown {
    const value = this.raw[field];
    return this.fromQueryString && Array.isArray(value) ? value[0] : value;
  }

  has(field: string): boolean {
    const value = this.raw[field];
    return value !== undefined && value !== null;
  }

  optionalString(field: string): string | undefined {
    const value = this.scalar(field);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw invalidValue(this.name(field), value, `expected a string, got ${describe(value)}`);
    // A lone surrogate ("\ud800" in JSON) is not Unicode text: the database would silently replace it.
    if (LONE_SURROGATE.test(value)) throw invalidValue(this.name(field), "<text>", "contains a lone UTF-16 surrogate, which is not valid Unicode");
    return value;
  }

  /** optionalString with "" taken as absent: proto3's JSON writes an unset string field as "". */
  optionalText(field: string): string | undefined {
    return this.optionalString(field) || undefined;
  }

  requiredString(field: string): string {
    const value = this.optionalString(field);
    if (value === undefined || value === "") throw missingValue(this.name(field));
    return value;
  }

  /** An int64 sent as a JSON number or a numeric string; must be an integer within int64 and JS-safe range. */
  optionalInt64(field: string): number | undefined {
    const value = this.scalar(field);
    if (value === undefined || value === null) return undefined;
    let parsed: number;
    if (typeof value === "number") {
      parsed = value;
    } else if (typeof value === "string" && /^-?\d{1,20}$/.test(value.trim())) {
      const big = BigInt(value.trim());
      if (big > INT64_MAX || big < INT64_MIN) throw invalidValue(this.name(field), value, "out of int64 range");
      parsed = Number(big);
    } else {
      throw invalidValue(this.name(field), value, `expected an integer, got ${describe(value)}`);
    }
    if (!Number.isInteger(parsed)) throw invalidValue(this.name(field), value, "expected an integer");
    if (!Number.isSafeInteger(parsed)) {
      throw invalidValue(this.name(field), value, "integers beyond +-9007199254740991 are not supported");
    }
    return parsed;
  }

  requiredInt64(field: string): number {
    const value = this.optionalInt64(field);
    if (value === undefined) throw missingValue(this.name(field));
    return value;
  }

  /** A double: a JSON number, a numeric string, or "NaN" / "Infinity" / "-Infinity" as protobuf JSON writes them. */
  optionalDouble(field: string): number | undefined {
    const value = this.scalar(field);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number") return value;
    if (typeof value === "string") {
      const text = value.trim();
      if (text === "NaN" || text === "nan") return Number.NaN;
      if (text === "Infinity" || text === "inf") return Number.POSITIVE_INFINITY;
      if (text === "-Infinity" || text === "-inf") return Number.NEGATIVE_INFINITY;
      if (text !== "" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
    }
    throw invalidValue(this.name(field), value, `expected a number, got ${describe(value)}`);
  }

  requiredDouble(field: string): number {
    const value = this.optionalDouble(field);
    if (value === undefined) throw missingValue(this.name(field));
    return value;
  }

  optionalBoolean(field: string): boolean | undefined {
    const value = this.scalar(field);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "True") return true;
    if (value === "false" || value === "False") return false;
    throw invalidValue(this.name(field), value, `expected a boolean, got ${describe(value)}`);
  }

  optionalEnum<T extends string>(field: string, allowed: readonly T[]): T | undefined {
    const value = this.optionalString(field);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw invalidValue(this.name(field), value, `must be one of ${allowed.join(", ")}`);
    }
    return value as T;
  }

  /**
   * A repeated string field: a JSON array, or a repeated query key (a single key arrives as a string). `bounds`
   * caps the items and each item's length, checked before any item is used (a search given one 800 KB experiment
   * id ran it).
   */
  stringList(field: string, bounds: ListBounds = {}): string[] {
    const value = this.raw[field];
    if (value === undefined || value === null) return [];
    const items = Array.isArray(value) ? value : [value];
    if (bounds.maxItems !== undefined && items.length > bounds.maxItems) {
      throw invalidValue(this.name(field), `<${items.length} items>`, `at most ${bounds.maxItems} items are accepted`);
    }
    return items.map((item, index) => {
      if (typeof item !== "string") {
        throw invalidValue(`${this.name(field)}[${index}]`, item, `expected a string, got ${describe(item)}`);
      }
      if (bounds.maxLength !== undefined && item.length > bounds.maxLength) {
        throw invalidValue(`${this.name(field)}[${index}]`, item, `longer than ${bounds.maxLength} characters`);
      }
      return item;
    });
  }

  /** A repeated message field; each element is read through its own Fields. */
  list<T>(field: string, read: (item: Fields) => T): T[] {
    const value = this.raw[field];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalidValue(this.name(field), value, `expected a list, got ${describe(value)}`);
    return value.map((item, index) => read(Fields.of(item, `${this.name(field)}[${index}]`)));
  }

  /** A nested message field. */
  optionalObject(field: string): Fields | undefined {
    const value = this.raw[field];
    if (value === undefined || value === null) return undefined;
    return Fields.of(value, this.name(field));
  }

  /**
   * A protobuf enum: its name, or its number as protobuf JSON also accepts (numbers start at `firstNumber`, e.g.
   * ViewType ACTIVE_ONLY = 1). Old clients send either form.
   */
  optionalProtoEnum<T extends string>(field: string, allowed: readonly T[], firstNumber = 1): T | undefined {
    const value = this.scalar(field);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number" || (typeof value === "string" && /^\d{1,3}$/.test(value))) {
      const byNumber = allowed[Number(value) - firstNumber];
      if (byNumber !== undefined && Number.isInteger(Number(value))) return byNumber;
    } else if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
      return value as T;
    }
    throw invalidValue(this.name(field), value, `must be one of ${allowed.join(", ")}`);
  }

  /** The raw JSON value of a field, for hot paths that check types themselves before falling back to Fields. */
  rawValue(field: string): unknown {
    return this.raw[field];
  }

  /** Length of a repeated field without parsing it, for limit checks that must happen before the work. */
  count(field: string): number {
    const value = this.raw[field];
    return Array.isArray(value) ? value.length : 0;
  }
}
