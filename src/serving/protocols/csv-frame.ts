import { badInput } from "./tensor-values.js";

/** A table as both MLflow dataframe forms and CSV bodies decode to it: column names and row-major cells. */
export interface Frame {
  columns: string[];
  rows: unknown[][];
  /** Cells are CSV text, to be read as the model's element type (pandas' read_csv infers it the same way). */
  fromCsv: boolean;
}

const csvError = (detail: string): Error =>
  badInput(
    "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame " +
      `produced using the \`pandas.DataFrame.to_csv()\` method. Error: '${detail}'`,
  );

/** RFC 4180 CSV (quotes, doubled quotes, CRLF or LF) with a header row, as pandas.DataFrame.to_csv writes it. */
export const parseCsvFrame = (text: string): Frame => {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < body.length) {
    const c = body[i];
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      record.push(field);
      field = "";
      records.push(record);
      record = [];
      if (c === "\r" && body[i + 1] === "\n") i++;
    } else field += c;
    i++;
  }
  if (quoted) throw csvError("unterminated quoted field");
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const nonEmpty = records.filter((r) => !(r.length === 1 && r[0] === ""));
  const [header, ...rows] = nonEmpty;
  if (header === undefined) throw csvError("No columns to parse from file");
  rows.forEach((row, index) => {
    if (row.length !== header.length) {
      throw csvError(`Expected ${header.length} fields in line ${index + 2}, saw ${row.length}`);
    }
  });
  return { columns: header, rows, fromCsv: true };
};
