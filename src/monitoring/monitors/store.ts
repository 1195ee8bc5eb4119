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

/** Where monitors, their results and their alert states persist (SQLite: src/stores/sqlite/sqlite-monitor-store.ts). */
export interface MonitorStore {
  create(monitor: Monitor): Promise<void>;
  get(name: string): Promise<Monitor | undefined>;
  list(): Promise<Monitor[]>;
  /** Deletes the monitor with its results, alert states and alert events; false when there was none. */
  delete(name: string): Promise<boolean>;
  /**
   * Claims the monitor's next scheduled run for one scheduler among all processes on this database: sets its last run
   * time to `now` only if it still is `lastRunTime` (what the scheduler read; undefined: never ran), and says whether
   * it did. Of several schedulers that saw the same last run, exactly one gets true and evaluates the window.
   */
  claimRun(name: string, lastRunTime: number | undefined, now: number): Promise<boolean>;
  /** Stores a run's scores and its time as the monitor's last run, in one transaction. */
  recordRun(run: MonitorRun): Promise<void>;
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
