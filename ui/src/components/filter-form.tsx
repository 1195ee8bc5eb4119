import { useState, type FormEvent, type ReactNode } from "react";

/**
 * A search-grammar filter typed and applied with Enter or the button (not on each key: a half-typed filter is a
 * syntax error). Give it `key={applied}` so that Back/Forward, which change the applied filter, reset the text.
 */
export const FilterForm = ({ label, applied, placeholder, onApply }: { label: string; applied: string; placeholder: string; onApply(filter: string): void }): ReactNode => {
  const [text, setText] = useState(applied);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onApply(text.trim());
  };
  return (
    <form className="filter-form" role="search" onSubmit={submit}>
      <input type="search" aria-label={label} placeholder={placeholder} value={text} onChange={(event) => setText(event.target.value)} spellCheck={false} />
      <button type="submit">Apply</button>
      {applied ? (
        <button
          type="button"
          onClick={() => {
            setText("");
            onApply("");
          }}
        >
          Clear
        </button>
      ) : null}
    </form>
  );
};
