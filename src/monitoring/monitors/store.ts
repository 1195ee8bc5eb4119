import type { CheckName, Monitor, MonitorAlertEvent, MonitorResult, MonitorRun } from "./monitor.js";

export interface MonitorHistoryQuery {
  monitor: string;
  feature?: string;
  check?: CheckName;
  maxResults: number;
  pageToken?: string;
}

export interface MonitorHistoryPage {
  /** Newest first. */
  results: MonitorResult[];
  nextPageToken?: string;
}

/** Whether a check of a monitor is failing now, and since when (alert deduplication survives restarts). */
export interface AlertState {
  check: CheckName;
  failing: boolean;
  /** When the last alert or recovery set `failing` (absent: the check never failed, it only errored). */
  since?: number;
  /** An open alert: the features the failing run compared (absent: unknown, a state older than schema 16). */
  features?: string[];
  /** When the check started erroring (monitor.error raised once), until a run judges the data again. */
  errorSince?: number;
}

export interface AlertEventsQuery {
  monitor: string;
  maxResults: number;
  pageToken?: string;
}

export interface AlertEventsPage {
  /** Newest first. */
  events: MonitorAlertEvent[];
  nextPageToken?: string;
}

/**
 * A scheduler's hold on a monitor's due window. `holder` is unique per claim (process and a random part): it is the
 * fencing token that lets the run record its result only while the window is still its own.
 */
export interface MonitorLease {
  holder: string;
  /** Milliseconds since the epoch; the holder renews it while its run lasts. */
  until: number;
}

/** Where monitors, their results and their alert states persist (SQLite: src/stores/sqlite/sqlite-monitor-store.ts). */
export interface MonitorStore {
  create(monitor: Monitor): Promise<void>;
  get(name: string): Promise<Monitor | undefined>;
  list(): Promise<Monitor[]>;
  /** Deletes the monitor with its results, alert states and alert events; false when there was none. */
  delete(name: string): Promise<boolean>;
  /**
   * Claims the monitor's due window for one scheduler among all processes on this database, under a lease: succeeds
   * only if the monitor's last run time still is `lastRunTime` (what the scheduler read and judged due; undefined:
   * never ran) and no unexpired lease holds the window (none, or its `until` <= `now`). The claim writes the lease
   * (holder, until) and leaves the last run time alone: that moves with the run's results (recordRun). Of several
   * schedulers that saw the same last run, exactly one gets true; a lease whose holder died is retaken once expired.
   */
  claimRun(name: string, lastRunTime: number | undefined, now: number, lease: MonitorLease): Promise<boolean>;
  /** Extends the lease to `until` while its run lasts; false when the window is no longer `holder`'s (taken over, recorded, deleted). */
  renewLease(name: string, holder: string, until: number): Promise<boolean>;
  /** The lease holding the monitor's window, if any (expired or not); undefined when none or no such monitor. */
  leaseOf(name: string): Promise<MonitorLease | undefined>;
  /**
   * Stores a run's scores and its time as the monitor's last run, in one transaction. With `holder` (a scheduled run
   * under a lease), only while the lease still is that holder's, releasing it in the same transaction: a run whose
   * lease another scheduler took over (or whose monitor was deleted) stores nothing and gets false, so a window is
   * recorded once. Without it (an explicit `monitors/run`), always; the lease, if any, is left to its holder.
   */
  recordRun(run: MonitorRun, holder?: string): Promise<boolean>;
  history(query: MonitorHistoryQuery): Promise<MonitorHistoryPage>;
  alertStates(monitor: string): Promise<AlertState[]>;
  /**
   * An alert, a recovery or an error, with the check's new state, in one transaction, so the state and the events
   * never disagree: an alert sets failing (since the event, over its features), a recovery clears it, an error sets
   * errorSince only (an error says nothing about the data, so the failing state stays as it was).
   */
  recordAlert(event: MonitorAlertEvent): Promise<void>;
  /** A check judged the data again (pass or fail): its erroring spell, if any, is over (the next error raises again). */
  clearAlertError(monitor: string, check: CheckName): Promise<void>;
  alertEvents(query: AlertEventsQuery): Promise<AlertEventsPage>;
}
