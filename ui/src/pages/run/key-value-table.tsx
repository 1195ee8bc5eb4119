import type { ReactNode } from "react";

export interface KeyValueRow {
  key: string;
  value: ReactNode;
  numeric?: boolean;
}

/** A two-column table (params, metrics, tags) with a caption for screen readers and a note when it is empty. */
export const KeyValueTable = ({ caption, rows, keyHeader = "Key", valueHeader = "Value", empty }: { caption: string; rows: readonly KeyValueRow[]; keyHeader?: string; valueHeader?: string; empty: string }): ReactNode => {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="data kv-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{keyHeader}</th>
          <th scope="col" className={rows.every((row) => row.numeric) ? "num" : undefined}>
            {valueHeader}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row" className="mono">
              {row.key}
            </th>
            <td className={row.numeric ? "num mono" : "mono"}>{row.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
