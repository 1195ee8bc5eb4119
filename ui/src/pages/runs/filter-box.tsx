import { useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { acceptCompletion, completionAt, type CompletionOption } from "./filter-completion";
import type { KnownKeys } from "./run-columns";

/**
 * The runs filter: a text box in MLflow's search grammar, applied on Enter or Apply, with completion of keys as an
 * ARIA combobox (arrow keys move, Enter or Tab accept, Escape closes). The draft lives here; the applied filter is
 * the caller's (the URL). Remount with a new `key` to reset the draft when the applied filter changes elsewhere.
 */
export const FilterBox = ({ applied, knownKeys, onApply }: { applied: string; knownKeys: KnownKeys; onApply: (filter: string) => void }): ReactNode => {
  const [text, setText] = useState(applied);
  const [caret, setCaret] = useState(applied.length);
  // Closed after accepting or Escape, until the next keystroke: the list must not reopen over a finished key.
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const pendingCaret = useRef<number | undefined>(undefined);
  const listId = useId();
  const completion = useMemo(() => (open ? completionAt(text, caret, knownKeys) : undefined), [open, text, caret, knownKeys]);
  const options = completion?.options ?? [];
  const activeIndex = Math.min(active, options.length - 1);

  useLayoutEffect(() => {
    if (pendingCaret.current === undefined || !inputRef.current) return;
    inputRef.current.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = undefined;
  });

  const accept = (option: CompletionOption): void => {
    if (!completion) return;
    const next = acceptCompletion(text, completion, option);
    setText(next.text);
    setCaret(next.caret);
    pendingCaret.current = next.caret;
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (options.length === 0) return;
    const chosen = options[activeIndex];
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((activeIndex + step + options.length) % options.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && chosen) {
      event.preventDefault();
      accept(chosen);
    } else if (event.key === "Escape") {
      event.preventDefault();
      setOpen(false);
    }
  };

  const activeId = options.length > 0 ? `${listId}-${activeIndex}` : undefined;
  return (
    <form
      className="filter-box"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onApply(text.trim());
      }}
    >
      <label htmlFor={`${listId}-input`} className="visually-hidden">
        Filter runs
      </label>
      <div className="filter-combobox">
        <input
          ref={inputRef}
          id={`${listId}-input`}
          type="text"
          role="combobox"
          aria-expanded={options.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeId}
          autoComplete="off"
          spellCheck={false}
          placeholder="metrics.acc > 0.9 and params.lr = '0.01'"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setCaret(event.target.selectionStart ?? event.target.value.length);
            setOpen(true);
            setActive(0);
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart ?? 0)}
          onKeyDown={onKeyDown}
          onBlur={() => setOpen(false)}
        />
        <ul id={listId} role="listbox" aria-label="Keys" className="filter-options" hidden={options.length === 0}>
          {options.map((option, index) => (
            <li
              key={option.text}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === activeIndex}
              // mousedown, not click: the input must keep the focus (its blur would close the list first).
              onMouseDown={(event) => {
                event.preventDefault();
                accept(option);
              }}
            >
              {option.text}
            </li>
          ))}
        </ul>
      </div>
      <button type="submit">Apply</button>
      {applied ? (
        <button type="button" onClick={() => onApply("")}>
          Clear filter
        </button>
      ) : null}
    </form>
  );
};
