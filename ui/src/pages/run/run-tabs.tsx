import { useRef, type KeyboardEvent, type ReactNode } from "react";

export const RUN_TABS = [
  { id: "overview", label: "Overview" },
  { id: "metrics", label: "Metrics" },
  { id: "artifacts", label: "Artifacts" },
] as const;

export type RunTabId = (typeof RUN_TABS)[number]["id"];

export const parseRunTab = (raw: string): RunTabId => RUN_TABS.find((tab) => tab.id === raw)?.id ?? "overview";

/** ARIA tabs: the arrow keys, Home and End move between them (and choose), as the tabs pattern expects. */
export const RunTabs = ({ current, onChange }: { current: RunTabId; onChange(tab: RunTabId): void }): ReactNode => {
  const listRef = useRef<HTMLDivElement>(null);
  const onKeyDown = (event: KeyboardEvent): void => {
    const index = RUN_TABS.findIndex((tab) => tab.id === current);
    const target = event.key === "ArrowRight" ? index + 1 : event.key === "ArrowLeft" ? index - 1 : event.key === "Home" ? 0 : event.key === "End" ? RUN_TABS.length - 1 : undefined;
    if (target === undefined) return;
    event.preventDefault();
    const next = RUN_TABS[(target + RUN_TABS.length) % RUN_TABS.length];
    if (!next) return;
    onChange(next.id);
    listRef.current?.querySelector<HTMLButtonElement>(`#run-tab-${next.id}`)?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label="Run views" ref={listRef} onKeyDown={onKeyDown}>
      {RUN_TABS.map((tab) => (
        <button
          key={tab.id}
          id={`run-tab-${tab.id}`}
          type="button"
          role="tab"
          aria-selected={tab.id === current}
          aria-controls="run-tab-panel"
          tabIndex={tab.id === current ? 0 : -1}
          onClick={() => onChange(tab.id)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
};
