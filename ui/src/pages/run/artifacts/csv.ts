/**
 * A delimited-text parser for previews (RFC 4180 style): fields may be quoted with ", a doubled "" inside quotes is
 * one quote, and quoted fields may hold delimiters and line breaks. Lines end with \n or \r\n. Stops after
 * `maxRows` rows (the header counts as a row), so a huge file costs only what is shown.
 */
export interface ParsedTable {
  rows: string[][];
  /** More rows followed the last one returned. */
  truncated: boolean;
}

export const parseDelimited = (text: string, delimiter: string, maxRows: number): ParsedTable => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endRow = (): void => {
    row.push(field);
    rows.push(row);
    row = [];
    field = "";
  };
  while (i < text.length) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += char;
      }
      i += 1;
      continue;
    }
    if (char === '"' && field === "") {
      quoted = true;
    } else if (char === delimiter) {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i += 1;
      endRow();
      if (rows.length === maxRows) return { rows, truncated: i + 1 < text.length };
    } else {
      field += char;
    }
    i += 1;
  }
  // The last line, unless the text ended with a line break.
  if (field !== "" || row.length > 0 || quoted) endRow();
  return { rows, truncated: false };
};
