import {
  dateValue,
  timestampMillisValue,
  timestampNanosValue,
  timestampSecondsValue,
  timestampTZValue,
  timestampValue,
  type DuckDBAppender,
} from "@duckdb/node-api";
import { DataType, TimeUnit, type Field, type Vector } from "apache-arrow";
import { invalidParameter } from "../../core/errors.js";

/** How one Arrow column becomes one DuckDB column: its DuckDB type and how a (valid) value at row i is appended. */
export interface ArrowColumn {
  readonly name: string;
  readonly sqlType: string;
  readonly append: (appender: DuckDBAppender, vector: Vector, i: number) => void;
}

const MS_PER_DAY = 86_400_000n;

/**
 * 64-bit values (timestamps, date64) are read from the raw BigInt64Array: apache-arrow's Vector.get turns timestamps
 * into millisecond numbers, which would lose micro- and nanoseconds. A batch's column has exactly one Data chunk.
 */
const rawInt64 = (vector: Vector, i: number): bigint => {
  const data = vector.data[0];
  if (data === undefined || !(data.values instanceof BigInt64Array)) throw new Error("expected 64-bit Arrow values");
  const value = data.values[data.offset + i];
  if (value === undefined) throw new Error(`Arrow row ${i} out of range`);
  return value;
};

const number = (vector: Vector, i: number): number => Number(vector.get(i));
const bigint = (vector: Vector, i: number): bigint => BigInt(vector.get(i) as bigint | number);

const toMicros = (value: bigint, unit: TimeUnit): bigint => {
  switch (unit) {
    case TimeUnit.SECOND:
      return value * 1_000_000n;
    case TimeUnit.MILLISECOND:
      return value * 1_000n;
    case TimeUnit.MICROSECOND:
      return value;
    case TimeUnit.NANOSECOND:
      // TIMESTAMPTZ holds microseconds: nanoseconds are truncated toward negative infinity.
      return value >= 0n ? value / 1_000n : -((-value + 999n) / 1_000n);
  }
};

const floorDays = (ms: bigint): number => Number(ms >= 0n ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1n) / MS_PER_DAY));

const column = (name: string, sqlType: string, append: ArrowColumn["append"]): ArrowColumn => ({ name, sqlType, append });

/**
 * Maps an Arrow field to a DuckDB column: the same type DuckDB itself would give (Int16 -> SMALLINT, Float32 -> FLOAT,
 * Timestamp(ms) -> TIMESTAMP_MS ...), so a dataset read from Arrow profiles the same as one read from Parquet.
 * Other types (lists, structs, decimals, binary, intervals...) are refused, naming the column and the type.
 */
export const arrowColumn = (field: Field): ArrowColumn => {
  const { name, type } = field;
  const refuse = () => invalidParameter(`Arrow column '${name}' has type ${String(type)}, which Cairn cannot read (supported: integers, floats, utf8, bool, date, timestamp, dictionary of utf8)`);
  if (DataType.isInt(type)) {
    const bits = type.bitWidth;
    if (type.isSigned) {
      if (bits === 8) return column(name, "TINYINT", (a, v, i) => a.appendTinyInt(number(v, i)));
      if (bits === 16) return column(name, "SMALLINT", (a, v, i) => a.appendSmallInt(number(v, i)));
      if (bits === 32) return column(name, "INTEGER", (a, v, i) => a.appendInteger(number(v, i)));
      return column(name, "BIGINT", (a, v, i) => a.appendBigInt(bigint(v, i)));
    }
    if (bits === 8) return column(name, "UTINYINT", (a, v, i) => a.appendUTinyInt(number(v, i)));
    if (bits === 16) return column(name, "USMALLINT", (a, v, i) => a.appendUSmallInt(number(v, i)));
    if (bits === 32) return column(name, "UINTEGER", (a, v, i) => a.appendUInteger(number(v, i)));
    return column(name, "UBIGINT", (a, v, i) => a.appendUBigInt(bigint(v, i)));
  }
  if (DataType.isFloat(type)) {
    // Float16 has no DuckDB type: widened to FLOAT (exact).
    if (type.precision === 2) return column(name, "DOUBLE", (a, v, i) => a.appendDouble(number(v, i)));
    return column(name, "FLOAT", (a, v, i) => a.appendFloat(number(v, i)));
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
    return column(name, "VARCHAR", (a, v, i) => a.appendVarchar(String(v.get(i))));
  }
  if (DataType.isBool(type)) return column(name, "BOOLEAN", (a, v, i) => a.appendBoolean(Boolean(v.get(i))));
  if (DataType.isDictionary(type)) {
    if (!DataType.isUtf8(type.dictionary) && !DataType.isLargeUtf8(type.dictionary)) throw refuse();
    // get() decodes the index through the dictionary, which apache-arrow keeps across batches (delta dictionaries too).
    return column(name, "VARCHAR", (a, v, i) => a.appendVarchar(String(v.get(i))));
  }
  if (DataType.isDate(type)) {
    if (type.unit === 0) return column(name, "DATE", (a, v, i) => a.appendDate(dateValue(Number((v.data[0]?.values as Int32Array)[(v.data[0]?.offset ?? 0) + i]))));
    return column(name, "DATE", (a, v, i) => a.appendDate(dateValue(floorDays(rawInt64(v, i)))));
  }
  if (DataType.isTimestamp(type)) {
    const unit = type.unit;
    if (type.timezone) return column(name, "TIMESTAMP WITH TIME ZONE", (a, v, i) => a.appendTimestampTZ(timestampTZValue(toMicros(rawInt64(v, i), unit))));
    switch (unit) {
      case TimeUnit.SECOND:
        return column(name, "TIMESTAMP_S", (a, v, i) => a.appendTimestampSeconds(timestampSecondsValue(rawInt64(v, i))));
      case TimeUnit.MILLISECOND:
        return column(name, "TIMESTAMP_MS", (a, v, i) => a.appendTimestampMilliseconds(timestampMillisValue(rawInt64(v, i))));
      case TimeUnit.MICROSECOND:
        return column(name, "TIMESTAMP", (a, v, i) => a.appendTimestamp(timestampValue(rawInt64(v, i))));
      case TimeUnit.NANOSECOND:
        return column(name, "TIMESTAMP_NS", (a, v, i) => a.appendTimestampNanoseconds(timestampNanosValue(rawInt64(v, i))));
    }
  }
  throw refuse();
};
