import type { Assessment, TraceWithAssessments } from "../../tracing/trace.js";
import { ASSESSMENT_COLUMNS, type AssessmentRow, toAssessment, toTrace, type TraceRow } from "../sql/trace-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

/** SQLite batch loads of traces; the row shapes and their mapping are shared (../sql/trace-rows.ts). */
export * from "../sql/trace-rows.js";

const keyValues = (conn: SqliteConnection, table: string, keysJson: string): Map<number, Record<string, string>> => {
  const rows = conn
    .stmt(`SELECT trace_key, key, value FROM ${table} WHERE trace_key IN (SELECT value FROM json_each(?)) ORDER BY trace_key, key`)
    .all(keysJson) as { trace_key: number; key: string; value: string }[];
  const byTrace = new Map<number, Record<string, string>>();
  for (const row of rows) {
    let object = byTrace.get(row.trace_key);
    if (!object) {
      object = {};
      byTrace.set(row.trace_key, object);
    }
    object[row.key] = row.value;
  }
  return byTrace;
};

/** Full traces (tags, metadata, assessments) of rows, in the rows' order: three reads whatever the page size. */
export const loadTraces = (conn: SqliteConnection, rows: readonly TraceRow[]): TraceWithAssessments[] => {
  if (rows.length === 0) return [];
  const keysJson = JSON.stringify(rows.map((row) => row.trace_key));
  const tags = keyValues(conn, "trace_tags", keysJson);
  const metadata = keyValues(conn, "trace_metadata", keysJson);
  const assessmentRows = conn
    .stmt(`SELECT ${ASSESSMENT_COLUMNS} FROM assessments a WHERE a.trace_key IN (SELECT value FROM json_each(?)) ORDER BY a.trace_key, a.create_time, a.assessment_key`)
    .all(keysJson) as AssessmentRow[];
  const idByKey = new Map(rows.map((row) => [row.trace_key, row.trace_id]));
  const assessments = new Map<number, Assessment[]>();
  for (const row of assessmentRows) {
    const list = assessments.get(row.trace_key) ?? [];
    list.push(toAssessment(row, idByKey.get(row.trace_key) ?? ""));
    assessments.set(row.trace_key, list);
  }
  return rows.map((row) =>
    toTrace(row, tags.get(row.trace_key) ?? {}, metadata.get(row.trace_key) ?? {}, assessments.get(row.trace_key) ?? []),
  );
};
