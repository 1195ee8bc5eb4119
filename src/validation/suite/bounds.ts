/** Ranges of Great Expectations' range arguments (min_value, max_value, strict_min, strict_max): check and display. */
import type { ArgumentValue } from "./suite.js";

export interface Range {
  min?: number;
  max?: number;
  strictMin: boolean;
  strictMax: boolean;
}

export const rangeOf = (kwargs: Readonly<Record<string, ArgumentValue>>): Range => ({
  min: typeof kwargs.min_value === "number" ? kwargs.min_value : undefined,
  max: typeof kwargs.max_value === "number" ? kwargs.max_value : undefined,
  strictMin: kwargs.strict_min === true,
  strictMax: kwargs.strict_max === true,
});

/** A missing side is open; a null observed value (no data) is outside every range, as in Great Expectations. */
export const inRange = (value: number | null, range: Range): boolean => {
  if (value === null || Number.isNaN(value)) return false;
  if (range.min !== undefined && (range.strictMin ? value <= range.min : value < range.min)) return false;
  if (range.max !== undefined && (range.strictMax ? value >= range.max : value > range.max)) return false;
  return true;
};

export const formatNumber = (value: number): string => (Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(10))));

export const formatRange = (range: Range): string => {
  const low = range.min === undefined ? "(-inf" : `${range.strictMin ? "(" : "["}${formatNumber(range.min)}`;
  const high = range.max === undefined ? "+inf)" : `${formatNumber(range.max)}${range.strictMax ? ")" : "]"}`;
  return `${low}, ${high}`;
};

export const formatValue = (value: unknown): string =>
  typeof value === "string" ? `'${value}'` : typeof value === "number" ? formatNumber(value) : String(value);

export const formatSet = (values: readonly unknown[]): string => `{${values.map(formatValue).join(", ")}}`;
