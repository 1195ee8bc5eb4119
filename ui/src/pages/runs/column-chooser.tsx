import { useCallback, useMemo, useState, type ReactNode } from "react";
import { useSearch } from "wouter";
import { useQueryList, useSetSearchParams } from "../../url-state";
import { dataColumnId, parseDataColumnId, type DataColumn, type KeyEntity, type KnownKeys } from "./run-columns";

/**
 * The table's metric, param and tag columns: repeated `col=metrics.acc` in the URL, in the order they were chosen.
 * A URL without `col` shows the defaults (the experiment's most common metrics and params, see defaultColumns); a
 * bare `col=` is the user's choice of no columns at all. Returns the columns in effect, a setter, their ids, and
 * whether the URL chose them (false: the defaults).
 */
export const useChosenColumns = (defaults: readonly DataColumn[] = []): [DataColumn[], (ids: readonly string[]) => void, string[], boolean] => {
  const [urlIds, setUrlIds] = useQueryList("col");
  const search = useSearch();
  const explicit = useMemo(() => new URLSearchParams(search).has("col"), [search]);
  const defaultIds = defaults.map(dataColumnId).join("\u0000");
  const ids = useMemo(() => (explicit ? urlIds.filter((id) => id !== "") : defaultIds ? defaultIds.split("\u0000") : []), [explicit, urlIds, defaultIds]);
  const columns = useMemo(() => ids.map(parseDataColumnId).filter((column): column is DataColumn => column !== undefined), [ids]);
  const setIds = useCallback((next: readonly string[]) => setUrlIds(next.length > 0 ? next : [""]), [setUrlIds]);
  return [columns, setIds, ids, explicit];
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
export const ColumnChooser = ({ knownKeys, defaults = [] }: { knownKeys: KnownKeys; defaults?: readonly DataColumn[] }): ReactNode => {
  const [, setIds, ids, explicit] = useChosenColumns(defaults);
  const setParams = useSetSearchParams();
  const [find, setFind] = useState("");
  const toggle = (id: string, on: boolean): void => setIds(on ? [...ids, id] : ids.filter((chosen) => chosen !== id));
  const needle = find.trim().toLowerCase();
  return (
    <details className="column-chooser">
      <summary>Columns{ids.length > 0 ? ` (${ids.length})` : ""}</summary>
      <div className="column-chooser-panel">
        <input type="search" aria-label="Find a key" placeholder="Find a key" value={find} onChange={(event) => setFind(event.target.value)} />
        {explicit ? (
          <button type="button" onClick={() => setParams({ col: undefined }, { push: true })}>
            Default columns
          </button>
        ) : (
          <span className="muted">The experiment&apos;s most common metrics and params</span>
        )}
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
