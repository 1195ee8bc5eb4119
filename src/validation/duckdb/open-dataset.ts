import { mkdtemp, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { CairnError, ErrorCode, invalidParameter } from "../../core/errors.js";
import type { DataFormat, Dataset } from "../dataset.js";
import { resolveFormat } from "./data-format.js";
import { DuckDbDataset } from "./duckdb-dataset.js";
import { loadArrowFile } from "./load-arrow.js";
import { quoteLiteral } from "./sql-literal.js";

export interface OpenDatasetOptions {
  /** Overrides the format inferred from the file extension. */
  format?: DataFormat | string;
}

/** DuckDB's readers expand globs (*, ?, [...], {...}) in a path; a real file whose name has them is read through a link. */
const GLOB_CHARS = /[*?[\]{}]/;

const readerFor = (format: DataFormat, literal: string): string => {
  switch (format) {
    case "csv":
      return `read_csv_auto(${literal})`;
    case "parquet":
      return `read_parquet(${literal})`;
    case "jsonl":
      // 'auto' reads JSON lines and also a single top-level array of records (vega-datasets' *.json).
      return `read_json_auto(${literal}, format = 'auto')`;
    case "arrow":
      // Loaded into the table `arrow_data` by loadArrowFile (DuckDB's arrow extension is not available offline).
      return "arrow_data";
  }
};

/**
 * Opens a CSV, Parquet or JSON lines file as a Dataset: a view `data` in a fresh in-memory DuckDB, so nothing is
 * loaded until a query runs and every scan streams the file (files larger than memory work).
 * Arrow IPC files are the exception: they are copied into DuckDB's memory batch by batch (see load-arrow.ts), so they
 * need about as much RAM as their data.
 */
export const openDataset = async (path: string, options: OpenDatasetOptions = {}): Promise<Dataset> => {
  const format = resolveFormat(path, options.format);
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined) throw new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `Data file '${path}' does not exist`);
  if (!info.isFile()) throw invalidParameter(`Data path '${path}' is not a file`);

  let readPath = absolute;
  let linkDir: string | undefined;
  if (GLOB_CHARS.test(absolute)) {
    linkDir = await mkdtemp(join(tmpdir(), "cairn-data-"));
    readPath = join(linkDir, `data${extname(absolute).replace(GLOB_CHARS, "")}`);
    await symlink(absolute, readPath);
  }
  const cleanup = async () => {
    if (linkDir !== undefined) await rm(linkDir, { recursive: true, force: true });
  };

  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    if (format === "arrow") await loadArrowFile(absolute, connection, "arrow_data");
    await connection.run(`CREATE VIEW data AS SELECT * FROM ${readerFor(format, quoteLiteral(readPath))}`);
    return await DuckDbDataset.create(path, instance, connection, cleanup);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    await cleanup();
    if (error instanceof CairnError) throw error;
    throw invalidParameter(`Cannot read '${path}' as ${format}: ${error instanceof Error ? error.message : String(error)}`);
  }
};
