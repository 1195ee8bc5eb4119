import { openDataset } from "../../validation/duckdb/open-dataset.js";
import { profileDataset } from "../../validation/profile/profile-dataset.js";
import type { ColumnProfile, DatasetProfile } from "../../validation/profile/profile-schema.js";
import type { CommandResult, HumanOutput } from "../output.js";
import { parsePositiveInt } from "./view.js";

export interface DataProfileOptions {
  bins?: string;
  topK?: string;
  format?: string;
}

/** Short, readable numbers for the table (the JSON keeps full precision). */
const fmt = (value: number | null | undefined): string => {
  if (value === null || value === undefined) return "-";
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3 ? value.toExponential(3) : String(Number(value.toPrecision(6)));
};

const median = (column: ColumnProfile): number | null | undefined => column.numeric?.quantiles.find((q) => q.q === 0.5)?.value;

const summary = (column: ColumnProfile): string[] => {
  if (column.numeric !== undefined) {
    const n = column.numeric;
    return [fmt(n.min), fmt(n.max), fmt(n.mean), fmt(n.std), fmt(median(column)), ""];
  }
  const top = (column.top ?? []).slice(0, 3).map((t) => `${t.value} (${t.count})`).join(", ");
  return [column.min_text ?? "-", column.max_text ?? "-", "-", "-", "-", top];
};

/** A profile as a table, one line per column (also how `cairn data profiles show` prints an attached one). */
export const profileTable = (profile: DatasetProfile, empty: string): HumanOutput => ({
  kind: "table",
  columns: ["COLUMN", "TYPE", "MISSING", "DISTINCT", "MIN", "MAX", "MEAN", "STD", "MEDIAN", "TOP VALUES"],
  rows: profile.columns.map((c) => [
    c.name,
    c.sql_type,
    `${c.missing} (${profile.row_count === 0 ? 0 : Number(((100 * c.missing) / profile.row_count).toFixed(1))}%)`,
    `${c.distinct_method === "approx" ? "~" : ""}${c.distinct}`,
    ...summary(c),
  ]),
  empty,
});

/**
 * `cairn data profile FILE`: the profile of a CSV, Parquet or JSON lines file, computed in DuckDB (the file is never
 * loaded into memory). --json prints the versioned profile JSON; the table shows one line per column.
 */
export const dataProfile = async (file: string, options: DataProfileOptions = {}): Promise<CommandResult<DatasetProfile>> => {
  const bins = options.bins === undefined ? undefined : parsePositiveInt("--bins", options.bins, 1000);
  const topK = options.topK === undefined ? undefined : parsePositiveInt("--top-k", options.topK, 1000);
  const dataset = await openDataset(file, { format: options.format });
  try {
    const profile = await profileDataset(dataset, { bins, topK });
    return { data: profile, human: profileTable(profile, `${file}: no columns.`) };
  } finally {
    await dataset.close();
  }
};
