import type { ReactNode } from "react";

/** A labelled select of comparison fields (`params.lr`, `metrics.acc`), grouped by kind. */
export const FieldSelect = ({ label, value, fields, onChange }: { label: string; value: string; fields: readonly string[]; onChange(field: string): void }): ReactNode => {
  const params = fields.filter((field) => field.startsWith("params."));
  const metrics = fields.filter((field) => field.startsWith("metrics."));
  return (
    <label className="field-select">
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        {value === "" || fields.includes(value) ? null : <option value={value}>{value} (not in these runs)</option>}
        {params.length > 0 ? (
          <optgroup label="Params">
            {params.map((field) => (
              <option key={field} value={field}>
                {field}
              </option>
            ))}
          </optgroup>
        ) : null}
        {metrics.length > 0 ? (
          <optgroup label="Metrics">
            {metrics.map((field) => (
              <option key={field} value={field}>
                {field}
              </option>
            ))}
          </optgroup>
        ) : null}
      </select>
    </label>
  );
};
