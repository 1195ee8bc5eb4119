import { createHash, type Hash } from "node:crypto";
import type { ColumnKind } from "./target-catalog.js";

/**
 * The canonical text of one value for the per-table digest, the same for SQLite's storage classes and PostgreSQL's
 * types: the target column's kind decides, so SQLite INTEGER (number or bigint) and BIGINT give the same decimal,
 * REAL and DOUBLE PRECISION the same shortest round-trip text (NaN and ±Infinity included), TEXT the same string,
 * BLOB and BYTEA the same hex. Each value is length-prefixed, so no two different rows encode alike.
 */
export const canonicalValue = (kind: ColumnKind, value: unknown): string => {
  if (value === null || value === undefined) return "N";
  switch (kind) {
    case "integer":
      return `I${integerText(value)}`;
    case "real":
      return `R${realText(value)}`;
    case "bytes":
      return `B${Buffer.isBuffer(value) ? value.toString("hex") : Buffer.from(String(value)).toString("hex")}`;
    case "boolean":
      return `L${value === true || value === 1 || value === 1n || value === "1" ? 1 : 0}`;
    default:
      return `T${Buffer.isBuffer(value) ? value.toString("hex") : String(value)}`;
  }
};

const integerText = (value: unknown): string => {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value).toString();
  return String(value);
};

const realText = (value: unknown): string => {
  const number = typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : Number(value);
  if (Number.isNaN(number)) return "NaN";
  if (number === Number.POSITIVE_INFINITY) return "Infinity";
  if (number === Number.NEGATIVE_INFINITY) return "-Infinity";
  // -0 and 0: SQLite keeps no sign on a zero REAL read back through every path; both sides write "0".
  return number === 0 ? "0" : String(number);
};

/** sha256 over rows fed in primary-key order. */
export class TableDigest {
  private readonly hash: Hash = createHash("sha256");
  rows = 0;

  constructor(private readonly kinds: readonly ColumnKind[]) {}

  add(values: readonly unknown[]): void {
    let line = "";
    for (let i = 0; i < this.kinds.length; i += 1) {
      const text = canonicalValue(this.kinds[i] ?? "text", values[i]);
      line += `${text.length}:${text}`;
    }
    this.hash.update(`${line}\n`, "utf8");
    this.rows += 1;
  }

  hex(): string {
    return this.hash.digest("hex");
  }
}

/** A SQLite value bound into a PostgreSQL parameter of the column's kind. */
export const toPgParam = (kind: ColumnKind, value: unknown): unknown => {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return kind === "boolean" ? value !== 0n : value.toString();
  if (kind === "boolean") return value === 1 || value === true || value === "1";
  if (kind === "real" && typeof value === "number") return realText(value);
  return value;
};
