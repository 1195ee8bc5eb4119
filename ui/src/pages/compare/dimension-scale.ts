import type { FieldValue } from "./run-fields";

/**
 * Where a value sits along an axis, from 0 (bottom or left) to 1. A dimension is numeric when every present value
 * reads as a finite number (params arrive as text, "0.01"); otherwise its values are ordered categories, evenly
 * spaced, sorted naturally ("2" before "10", "adam" before "sgd").
 */
export type DimensionScale =
  | { kind: "numeric"; min: number; max: number; position(value: FieldValue): number | undefined; ticks: { label: string; at: number }[] }
  | { kind: "categorical"; categories: string[]; position(value: FieldValue): number | undefined; ticks: { label: string; at: number }[] };

const asNumber = (value: FieldValue): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (value.trim() === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
};

const naturalOrder = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

const formatTick = (value: number): string => String(Number(value.toPrecision(4)));

export const dimensionScale = (values: readonly FieldValue[]): DimensionScale => {
  const present = values.filter((value): value is string | number => value !== undefined);
  const numbers = present.map(asNumber);
  if (present.length > 0 && numbers.every((number) => number !== undefined)) {
    const finite = numbers as number[];
    const min = Math.min(...finite);
    const max = Math.max(...finite);
    const span = max - min;
    // One value (or all equal): the middle of the axis, not a division by zero.
    const position = (value: FieldValue): number | undefined => {
      const number = asNumber(value);
      if (number === undefined) return undefined;
      return span === 0 ? 0.5 : (number - min) / span;
    };
    const ticks = span === 0 ? [{ label: formatTick(min), at: 0.5 }] : [min, min + span / 2, max].map((tick, index) => ({ label: formatTick(tick), at: index / 2 }));
    return { kind: "numeric", min, max, position, ticks };
  }
  const categories = [...new Set(present.map(String))].sort(naturalOrder.compare);
  const position = (value: FieldValue): number | undefined => {
    if (value === undefined) return undefined;
    const index = categories.indexOf(String(value));
    if (index < 0) return undefined;
    return categories.length === 1 ? 0.5 : index / (categories.length - 1);
  };
  return { kind: "categorical", categories, position, ticks: categories.map((label) => ({ label, at: position(label) ?? 0.5 })) };
};
