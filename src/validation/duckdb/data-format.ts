import { invalidParameter } from "../../core/errors.js";
import type { DataFormat } from "../dataset.js";

const FORMATS: readonly DataFormat[] = ["csv", "parquet", "jsonl", "arrow"];

const BY_EXTENSION: Record<string, DataFormat> = {
  csv: "csv",
  tsv: "csv",
  txt: "csv",
  parquet: "parquet",
  pq: "parquet",
  json: "jsonl",
  jsonl: "jsonl",
  ndjson: "jsonl",
  arrow: "arrow",
  feather: "arrow",
  ipc: "arrow",
};

/** The format named by `--format`, or else by the file's extension (a trailing .gz/.zst is a compression, skipped). */
export const resolveFormat = (path: string, format?: string): DataFormat => {
  if (format !== undefined) {
    const lower = format.toLowerCase();
    const named = lower === "json" || lower === "ndjson" ? "jsonl" : lower;
    if (!(FORMATS as readonly string[]).includes(named)) throw invalidParameter(`format must be one of ${FORMATS.join(", ")}, got '${format}'`);
    return named as DataFormat;
  }
  const base = path.split(/[\\/]/).pop() ?? path;
  const parts = base.toLowerCase().split(".");
  while (parts.length > 1 && ["gz", "zst", "gzip"].includes(parts[parts.length - 1] ?? "")) parts.pop();
  const extension = parts.length > 1 ? (parts[parts.length - 1] ?? "") : "";
  const found = BY_EXTENSION[extension];
  if (found === undefined) {
    throw invalidParameter(`cannot tell the format of '${base}' from its extension; pass a format (${FORMATS.join(", ")})`);
  }
  return found;
};
