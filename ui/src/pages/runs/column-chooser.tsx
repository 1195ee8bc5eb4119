import { useMemo, useState, type ReactNode } from "react";
import { useQueryList } from "../../url-state";
import { dataColumnId, parseDataColumnId, type DataColumn, type KeyEntity, type KnownKeys } from "./run-columns";

/** The chosen metric, param and tag columns: repeated `col=metrics.acc` in the URL, in the order they were chosen. */
export const useChosenColumns = (): [DataColumn[], (ids: readonly string[]) => void, string[]] => {
  const [ids, setIds] = useQueryList("col");
  const columns = useMemo(() => ids.map(parseDataColumnId).filter((column): column is DataColumn => column !== undefined), [ids]);
  return [columns, setIds, ids];
};

const GROUPS: readonly { entity: KeyEntity; label: string }[] = [
  { entity: "metrics", label: "Metrics" },
  { entity: "params", label: "Params" },
  { entity: "tags", label: "Tags" },
];

/**
 * Lists the keys seen in the loaded runs as checkboxes; a chosen column stays listed even when no loaded run has
 * its key (a link may name it before the runs load, or the filter may hide every run that has it).
 */
export const ColumnChooser = ({ knownKeys }: { knownKeys: KnownKeys }): ReactNode => {
  const [, setIds, ids] = useChosenColumns();
  const [find, setFind] = useState("");
  const toggle = (id: string, on: boolean): void => setIds(on ? [...ids, id] : ids.filter((chosen) => chosen !== id));
  const needle = find.trim().toLowerCase();
  return (
    <details className="column-chooser">
      <summary>Columns{ids.length > 0 ? ` (${ids.length})` : ""}</summary>
      <div className="column-chooser-panel">
        <input type="search" aria-label="Find a key" placeholder="Find a key" value={find} onChange={(event) => setFind(event.target.value)} />
        {GROUPS.map(({ entity, label }) => {
          const chosenHere = ids.map(parseDataColumnId).filter((column) => column?.entity === entity).map((column) => column?.key ?? "");
          const keys = [...new Set([...knownKeys[entity], ...chosenHere])].filter((key) => key.toLowerCase().includes(needle));
          return (
            <fieldset key={entity}>
              <legend>{label}</legend>
              {keys.length === 0 ? <span className="muted">None</span> : null}
              {keys.map((key) => {
                const id = dataColumnId({ entity, key });
                return (
                  <label key={key}>
                    <input type="checkbox" checked={ids.includes(id)} onChange={(event) => toggle(id, event.target.checked)} /> {key}
                  </label>
                );
              })}
            </fieldset>
          );
        })}
      </div>
    </details>
  );
};
