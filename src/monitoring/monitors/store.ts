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
  since: number;
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
  /** Stores a run's scores and its time as the monitor's last run, in one transaction. */
  recordRun(run: MonitorRun): Promise<void>;
  history(query: MonitorHistoryQuery): Promise<MonitorHistoryPage>;
  alertStates(monitor: string): Promise<AlertState[]>;
  /**
   * An alert or a recovery: the check's new state (failing for an alert, since the event's time) and the event,
   * in one transaction, so the state and the events never disagree.
   */
  recordAlert(event: MonitorAlertEvent): Promise<void>;
  alertEvents(query: AlertEventsQuery): Promise<AlertEventsPage>;
}
