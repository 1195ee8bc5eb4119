import type { PredictionLogStore, StoredPrediction } from "../../serving/prediction-log/store.js";
import type { ColumnInfo } from "../../validation/dataset.js";
import { windowTable, type WindowTable } from "./log-columns.js";
import type { MonitorWindow } from "./monitor.js";
import { MAX_WINDOW_ROWS } from "./monitor-spec.js";

const PAGE = 1000;

/**
 * The predictions of a monitor's window, oldest first, one page of 1,000 at a time: `onPage` turns each page into
 * table rows before the next is read, so the logged JSON of a whole window (150,000 rows of it failed a monitor) is
 * never in memory at once. last_seconds reads the time range; last_rows pages through the deployment's log (read
 * oldest first, so the whole log, which retention bounds) and the caller keeps the newest rows.
 */
export const readWindowPages = async (
  store: PredictionLogStore,
  deployment: string,
  window: MonitorWindow,
  now: number,
  onPage: (page: readonly StoredPrediction[]) => Promise<void> | void,
): Promise<void> => {
  const since = "lastSeconds" in window ? now - window.lastSeconds * 1000 : undefined;
  let pageToken: string | undefined;
  do {
    const page = await store.searchPredictions({
      deployment,
      maxResults: PAGE,
      until: now + 1,
      ...(since !== undefined ? { since } : {}),
      ...(pageToken !== undefined ? { pageToken } : {}),
    });
    await onPage(page.predictions);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
};

/**
 * A window's table built page by page, holding at most twice `maxRows` rows between trims and handing out the
 * newest `maxRows`: last_rows windows keep their N rows, last_seconds windows at most MAX_WINDOW_ROWS (the newest).
 */
export class WindowBuilder {
  private readonly features = new Map<string, ColumnInfo>();
  private table: WindowTable = { features: [], rows: [], predictions: [], labels: [] };
  /** Rows dropped as older than the newest maxRows. */
  dropped = 0;

  constructor(private readonly maxRows: number = MAX_WINDOW_ROWS) {}

  add(page: readonly StoredPrediction[], namesOf: (version: string) => readonly string[] | undefined): void {
    const part = windowTable(page, namesOf);
    for (const feature of part.features) if (!this.features.has(feature.name)) this.features.set(feature.name, feature);
    // Appended one by one: one request may carry 150,000 rows, too many arguments for a spread.
    for (const row of part.rows) this.table.rows.push(row);
    for (const value of part.predictions) this.table.predictions.push(value);
    for (const label of part.labels) this.table.labels.push(label);
    if (this.table.rows.length > 2 * this.maxRows) this.trim();
  }

  /** Rows held now (for tests of the memory bound). */
  heldRows(): number {
    return this.table.rows.length;
  }

  result(): WindowTable {
    this.trim();
    return { ...this.table, features: [...this.features.values()] };
  }

  private trim(): void {
    const from = this.table.rows.length - this.maxRows;
    if (from <= 0) return;
    this.dropped += from;
    this.table = {
      features: [],
      rows: this.table.rows.slice(from),
      predictions: this.table.predictions.slice(from),
      labels: this.table.labels.slice(from),
    };
  }
}
