import { useId, useRef, type KeyboardEvent, type ReactNode } from "react";
import { useQueryParam } from "../../url-state";

export interface TabSpec<Id extends string> {
  id: Id;
  label: string;
}

/**
 * Tabs whose choice is the URL's `tab` parameter (the first tab is the default and is not written). Arrow keys move
 * between tabs as the WAI-ARIA tabs pattern has it; choosing one pushes a history entry so Back returns to the last.
 */
export const useTabs = <Id extends string>(tabs: readonly TabSpec<Id>[]): { current: Id; tabList: ReactNode; panelProps: { role: "tabpanel"; id: string; "aria-labelledby": string } } => {
  const first = tabs[0]?.id ?? ("" as Id);
  const [raw, setTab] = useQueryParam("tab", first);
  const current = tabs.find((tab) => tab.id === raw)?.id ?? first;
  const prefix = useId();
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const onKeyDown = (event: KeyboardEvent): void => {
    const index = tabs.findIndex((tab) => tab.id === current);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    const target = event.key === "Home" ? tabs[0] : event.key === "End" ? tabs.at(-1) : step ? tabs[(index + step + tabs.length) % tabs.length] : undefined;
    if (!target) return;
    event.preventDefault();
    setTab(target.id, { push: true });
    buttons.current.get(target.id)?.focus();
  };
  const tabList = (
    <div className="tabs" role="tablist" onKeyDown={onKeyDown}>
      {tabs.map((tab) => (
        <button
          key={tab.id}
          ref={(element) => {
            if (element) buttons.current.set(tab.id, element);
            else buttons.current.delete(tab.id);
          }}
          type="button"
          role="tab"
          id={`${prefix}-tab-${tab.id}`}
          aria-selected={tab.id === current}
          aria-controls={`${prefix}-panel`}
          tabIndex={tab.id === current ? 0 : -1}
          onClick={() => setTab(tab.id, { push: true })}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
  return { current, tabList, panelProps: { role: "tabpanel", id: `${prefix}-panel`, "aria-labelledby": `${prefix}-tab-${current}` } };
};
