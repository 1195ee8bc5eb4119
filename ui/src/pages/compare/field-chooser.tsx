import type { ReactNode } from "react";

/** A fold-out list of checkboxes choosing fields (the axes of a plot), in the given order. */
export const FieldChooser = ({ label, fields, chosen, onChange }: { label: string; fields: readonly string[]; chosen: readonly string[]; onChange(fields: string[]): void }): ReactNode => (
  <details className="field-chooser">
    <summary>
      {label}: {chosen.length} chosen
    </summary>
    <fieldset>
      <legend className="visually-hidden">{label}</legend>
      {fields.map((field) => (
        <label key={field}>
          <input
            type="checkbox"
            checked={chosen.includes(field)}
            onChange={(event) => onChange(event.target.checked ? fields.filter((one) => one === field || chosen.includes(one)) : chosen.filter((one) => one !== field))}
          />
          <span className="mono">{field}</span>
        </label>
      ))}
    </fieldset>
  </details>
);
