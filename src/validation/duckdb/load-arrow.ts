import { open } from "node:fs/promises";
import type { DuckDBConnection } from "@duckdb/node-api";
import { RecordBatchReader } from "apache-arrow";
import { invalidParameter } from "../../core/errors.js";
import { quoteIdentifier } from "../dataset.js";
import { arrowColumn, type ArrowColumn } from "./arrow-column.js";

/**
 * Loads an Arrow IPC file (file or stream format) into the table `table` on `connection`.
 *
 * DuckDB's arrow extension is not bundled with @duckdb/node-api and cannot be installed offline, so unlike CSV and
 * Parquet (views scanned in place) an Arrow file is COPIED INTO DuckDB's memory: the dataset needs about as much RAM as
 * the data. It is read one record batch at a time from a file handle (random access for the file format, sequential
 * for the stream format), so JavaScript holds one batch at a time, and rows go in through DuckDB's appender.
 */
export const loadArrowFile = async (path: string, connection: DuckDBConnection, table: string): Promise<void> => {
  const handle = await open(path, "r");
  try {
    const reader = await RecordBatchReader.from(handle).catch((error: unknown) => {
      throw invalidParameter(`Cannot read '${path}' as Arrow IPC: ${error instanceof Error ? error.message : String(error)}`);
    });
    let columns: ArrowColumn[] | undefined;
    let appender: Awaited<ReturnType<DuckDBConnection["createAppender"]>> | undefined;
    for await (const batch of reader) {
      if (columns === undefined) {
        columns = batch.schema.fields.map(arrowColumn);
        await createTable(connection, table, columns);
        appender = await connection.createAppender(table);
      }
      if (appender === undefined) break;
      const vectors = columns.map((_, c) => batch.getChildAt(c));
      for (let i = 0; i < batch.numRows; i++) {
        for (let c = 0; c < columns.length; c++) {
          const vector = vectors[c];
          const col = columns[c];
          if (vector === null || vector === undefined || col === undefined || !vector.isValid(i)) appender.appendNull();
          else col.append(appender, vector, i);
        }
        appender.endRow();
      }
      // Flushing per batch keeps the appender's buffer bounded by one batch.
      appender.flushSync();
    }
    if (columns === undefined) {
      // No batches: the schema is still known once the reader has opened.
      if (reader.schema === undefined || reader.schema === null) throw invalidParameter(`Arrow file '${path}' has no schema`);
      await createTable(connection, table, reader.schema.fields.map(arrowColumn));
    }
    appender?.closeSync();
  } finally {
    await handle.close();
  }
};

const createTable = async (connection: DuckDBConnection, table: string, columns: readonly ArrowColumn[]): Promise<void> => {
  if (columns.length === 0) throw invalidParameter("the Arrow file has no columns");
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw invalidParameter(`Arrow column '${c.name}' appears twice`);
    seen.add(c.name);
  }
  await connection.run(`CREATE TABLE ${quoteIdentifier(table)} (${columns.map((c) => `${quoteIdentifier(c.name)} ${c.sqlType}`).join(", ")})`);
};
