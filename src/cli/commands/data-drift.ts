/**
 * `cairn data drift REFERENCE CURRENT`: drift of every shared column, printed as a table (or the versioned JSON with
 * --json), optionally also a self-contained HTML report. Like `cairn data validate`, a detected dataset drift is a
 * failed check: the result is printed and the exit code is 1, so scripts and CI can stop on it.
 */
import { open, writeFile } from "node:fs/promises";
import { invalidParameter } from "../../core/errors.js";
import { computeDrift, parseColumnMethods, type DriftResult } from "../../monitoring/drift/index.js";
import { renderDriftHtml } from "../../monitoring/report/index.js";
import { openDataset } from "../../validation/duckdb/index.js";
import { renderTable, type CommandResult } from "../output.js";

export interface DataDriftOptions {
  report?: string;
  columnMethod?: string[];
  driftShare?: string;
  columns?: string;
  prediction?: string;
  target?: string;
  sampleLimit?: string;
}

const number = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw invalidParameter(`${flag} must be a number, got '${text}'`);
  return value;
};

const list = (text: string | undefined): string[] | undefined =>
  text === undefined ? undefined : text.split(",").map((s) => s.trim()).filter((s) => s !== "");

const fmt = (value: number | null): string => (value === null ? "-" : Number.isFinite(value) ? Number(value.toPrecision(6)).toString() : String(value));

/**
 * A profile written by `cairn data profile --json` starts with its schema_version. DuckDB would read it as a one-row
 * table and drift would compare the profile's fields; it is refused instead, with what to use.
 */
const refuseProfile = async (filePath: string, role: string): Promise<void> => {
  if (!filePath.toLowerCase().endsWith(".json")) return;
  const handle = await open(filePath, "r").catch(() => undefined);
  if (handle === undefined) return; // openDataset names the missing file.
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
    if (/^\s*\{\s*"schema_version"\s*:/.test(buffer.subarray(0, bytesRead).toString("utf8"))) {
      throw invalidParameter(
        `The ${role} '${filePath}' is a data profile (cairn data profile --json), not data: drift compares two data files. ` +
          "Give the data the profile was made from, or attach the profile to a registered version for a monitor's drift check.",
      );
    }
  } finally {
    await handle.close();
  }
};

export const dataDrift = async (referencePath: string, currentPath: string, options: DataDriftOptions = {}): Promise<CommandResult<DriftResult>> => {
  const columnMethods = parseColumnMethods(options.columnMethod ?? []);
  const driftShare = number("--drift-share", options.driftShare);
  const sampleLimit = number("--sample-limit", options.sampleLimit);
  await refuseProfile(referencePath, "reference");
  await refuseProfile(currentPath, "current data");
  const reference = await openDataset(referencePath);
  try {
    const current = await openDataset(currentPath);
    try {
      const result = await computeDrift(reference, current, {
        columnMethods,
        driftShare,
        sampleLimit,
        columns: list(options.columns),
        prediction: list(options.prediction),
        target: list(options.target),
        distributions: options.report !== undefined,
      });
      if (options.report !== undefined) await writeFile(options.report, renderDriftHtml(result), "utf8");
      // The JSON printed by --json stays free of the plotted shares; the HTML report carries them.
      for (const column of Object.values(result.columns)) delete column.distribution;
      const rows = Object.entries(result.columns).map(([name, c]) => [
        name,
        c.column_type,
        c.method,
        fmt(c.statistic),
        fmt(c.p_value),
        fmt(c.threshold),
        c.drifted ? "DRIFT" : "ok",
      ]);
      for (const [name, s] of Object.entries(result.skipped_columns)) rows.push([name, s.column_type, "-", "-", "-", "-", `skipped: ${s.reason}`]);
      const summary = `dataset drift: ${result.dataset_drift ? "DETECTED" : "no"} (${result.number_of_drifted_columns} of ${result.number_of_columns} columns drifted, share ${fmt(result.share_drifted)}, threshold ${fmt(result.drift_share)})`;
      return {
        data: result,
        human: {
          kind: "message",
          text: `${renderTable(["column", "type", "test", "statistic", "p_value", "threshold", "result"], rows, { color: false })}\n\n${summary}${
            options.report === undefined ? "" : `\nreport: ${options.report}`
          }`,
        },
        exitCode: result.dataset_drift ? 1 : 0,
      };
    } finally {
      await current.close();
    }
  } finally {
    await reference.close();
  }
};
