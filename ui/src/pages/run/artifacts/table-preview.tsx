import { useMemo, type ReactNode } from "react";
import { parseDelimited } from "./csv";
import type { ArtifactText } from "./fetch-artifact-text";
import { TruncationNote } from "./text-previews";

/** Data rows shown; the header comes on top. */
export const PREVIEW_ROWS = 500;

/** CSV or TSV as a table: the first line is the header, then up to PREVIEW_ROWS rows. */
export const TablePreview = ({ content, delimiter, label }: { content: ArtifactText; delimiter: string; label: string }): ReactNode => {
  const table = useMemo(() => parseDelimited(content.text, delimiter, PREVIEW_ROWS + 1), [content.text, delimiter]);
  const [header, ...rows] = table.rows;
  if (!header) return <p className="muted">The file is empty.</p>;
  // A row cut by the 1 MiB read limit would show a partial last value: leave it out.
  const shown = content.truncated && !table.truncated ? rows.slice(0, -1) : rows;
  return (
    <>
      <TruncationNote content={content} />
      <p className="muted">
        {table.truncated || content.truncated ? `First ${shown.length} rows` : `${shown.length} rows`}, {header.length} columns
      </p>
      <div className="artifact-table-scroll" tabIndex={0} role="region" aria-label={`${label} table`}>
        <table className="data artifact-table">
          <caption className="visually-hidden">{label}</caption>
          <thead>
            <tr>
              {header.map((name, index) => (
                <th key={index} scope="col">
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, rowIndex) => (
              <tr key={rowIndex}>
                {header.map((_name, index) => (
                  <td key={index}>{row[index] ?? ""}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
};
