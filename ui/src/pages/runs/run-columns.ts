import type { Run } from "../../api/entities";

/**
 * Column ids are the search grammar's identifiers without quoting (`metrics.acc`, `params.lr`, `tags.team`,
 * `attributes.start_time`), so that the id in the URL, the header, the order_by key and the filter key agree.
 * The entity is everything before the first dot; the key is the rest, dots and all (`metrics.val.loss`).
 */

export type KeyEntity = "metrics" | "params" | "tags";
export const KEY_ENTITIES: readonly KeyEntity[] = ["metrics", "params", "tags"];

export interface DataColumn {
  entity: KeyEntity;
  key: string;
}

export const dataColumnId = (column: DataColumn): string => `${column.entity}.${column.key}`;

export const parseDataColumnId = (id: string): DataColumn | undefined => {
  const dot = id.indexOf(".");
  if (dot <= 0 || dot === id.length - 1) return undefined;
  const entity = id.slice(0, dot);
  if (!KEY_ENTITIES.includes(entity as KeyEntity)) return undefined;
  return { entity: entity as KeyEntity, key: id.slice(dot + 1) };
};

/** A run's value in a chosen column: a metric's latest value, or a param's or tag's text. */
export const dataValue = (run: Run, column: DataColumn): number | string | undefined => {
  const list = column.entity === "metrics" ? run.data.metrics : column.entity === "params" ? run.data.params : run.data.tags;
  // Runs carry tens of keys at most, and only the rendered rows are asked: a scan is cheaper than an index.
  for (const item of list ?? []) if (item.key === column.key) return item.value;
  return undefined;
};

/** The keys the loaded runs carry, per entity, sorted: what the column chooser and the filter completion offer. */
export interface KnownKeys {
  metrics: readonly string[];
  params: readonly string[];
  tags: readonly string[];
}

export const EMPTY_KEYS: KnownKeys = { metrics: [], params: [], tags: [] };

type KeySets = Record<KeyEntity, Set<string>>;

// Pages are immutable once fetched: each is scanned once, however often the loaded pages change.
const keysOfPage = new WeakMap<readonly Run[], KeySets>();

const scanPage = (runs: readonly Run[]): KeySets => {
  const cached = keysOfPage.get(runs);
  if (cached) return cached;
  const sets: KeySets = { metrics: new Set(), params: new Set(), tags: new Set() };
  for (const run of runs) {
    for (const metric of run.data.metrics ?? []) sets.metrics.add(metric.key);
    for (const param of run.data.params ?? []) sets.params.add(param.key);
    for (const tag of run.data.tags ?? []) sets.tags.add(tag.key);
  }
  keysOfPage.set(runs, sets);
  return sets;
};

export const collectKnownKeys = (pages: readonly (readonly Run[])[]): KnownKeys => {
  const all: KeySets = { metrics: new Set(), params: new Set(), tags: new Set() };
  for (const page of pages) {
    const sets = scanPage(page);
    for (const entity of KEY_ENTITIES) for (const key of sets[entity]) all[entity].add(key);
  }
  const sorted = (set: Set<string>): string[] => [...set].sort((a, b) => a.localeCompare(b));
  return { metrics: sorted(all.metrics), params: sorted(all.params), tags: sorted(all.tags) };
};

/** How many metric and how many param columns a runs table shows when the URL names none. */
export const DEFAULT_COLUMNS_PER_ENTITY = 5;

/**
 * The columns shown when the URL chooses none: the metric keys, then the param keys, that most runs of the first page
 * carry (ties by name), at most `perEntity` of each. Only the first page counts, so that scrolling never moves the
 * columns under the reader's eyes.
 */
export const defaultColumns = (firstPage: readonly Run[], perEntity = DEFAULT_COLUMNS_PER_ENTITY): DataColumn[] => {
  const top = (entity: "metrics" | "params"): DataColumn[] => {
    const counts = new Map<string, number>();
    for (const run of firstPage) for (const item of run.data[entity] ?? []) counts.set(item.key, (counts.get(item.key) ?? 0) + 1);
    return [...counts]
      .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
      .slice(0, perEntity)
      .map(([key]) => ({ entity, key }));
  };
  return [...top("metrics"), ...top("params")];
};
