import { systemContext } from "../../core/actor.js";
import { MonitorEventType, type EventSink } from "../../core/events.js";
import type { AlertKind, CheckOutcome, Monitor, MonitorAlertEvent, MonitorRun } from "./monitor.js";
import type { AlertState, MonitorStore } from "./store.js";

export { MonitorEventType };

const MAX_SCORES_IN_EVENT = 50;

const EVENT_TYPES: Record<AlertKind, MonitorEventType> = { alert: MonitorEventType.ALERT, recovered: MonitorEventType.RECOVERED, error: MonitorEventType.ERROR };

/**
 * What a check's outcome changes, given its stored state:
 * - fail while not failing: an alert ("monitor.alert"); fail while failing: nothing.
 * - pass while failing: a recovery ("monitor.recovered"), but only over the features the alert compared (a pass that
 *   compared other features, or fewer, says nothing about the ones that failed: the alert stays open).
 * - error: a "monitor.error" when the check was not already erroring; the failing state is left as it was (an
 *   error is no evidence about the data, so it neither alerts nor recovers).
 * - insufficient_data: nothing, and the state is left as it was.
 */
const changeOf = (outcome: CheckOutcome, state: AlertState | undefined): AlertKind | undefined => {
  const failing = state?.failing ?? false;
  switch (outcome.status) {
    case "fail":
      return failing ? undefined : "alert";
    case "pass": {
      if (!failing) return undefined;
      // A state older than schema 16 does not know its features: a pass over at least one feature (or a check over none, quality) recovers it.
      const needed = state?.features ?? [];
      const compared = new Set(outcome.features);
      return needed.every((f) => compared.has(f)) ? "recovered" : undefined;
    }
    case "error":
      return state?.errorSince !== undefined ? undefined : "error";
    case "insufficient_data":
      return undefined;
  }
};

/**
 * Alerts on changes of state only (see changeOf). The state is stored, so a restart neither repeats an alert nor
 * forgets one that is open, and a version switch changes nothing by itself: the names of the features come from the
 * registered signature, so the next run compares the same features. Each event is kept too (monitors/alerts).
 */
export const publishAlerts = async (monitor: Monitor, run: MonitorRun, store: MonitorStore, events: EventSink): Promise<void> => {
  const states = new Map((await store.alertStates(monitor.name)).map((s) => [s.check, s]));
  for (const outcome of run.checks) {
    const state = states.get(outcome.check);
    const kind = changeOf(outcome, state);
    // A check that judged the data again ends its erroring spell: the next error is news again.
    if ((outcome.status === "pass" || outcome.status === "fail") && state?.errorSince !== undefined && kind === undefined) {
      await store.clearAlertError(monitor.name, outcome.check);
    }
    if (kind === undefined) continue;
    const failingSince = kind === "recovered" ? state?.since : undefined;
    const event = eventOf(monitor, run, outcome, kind, failingSince);
    // Stored before it is published: a crash in between loses a webhook delivery, never the record of the change.
    await store.recordAlert(event);
    await events.publish({
      type: EVENT_TYPES[kind],
      time: run.time,
      actor: systemContext().actor,
      requestId: `monitor:${monitor.name}:${run.time}`,
      payload: {
        monitor: monitor.name,
        deployment: monitor.deployment,
        check: event.check,
        status: event.status,
        message: event.message,
        window_rows: event.windowRows,
        features: event.features,
        ...(event.failingSince !== undefined ? { failing_since: event.failingSince } : {}),
        scores: event.scores,
      },
    });
  }
};

const eventOf = (monitor: Monitor, run: MonitorRun, outcome: CheckOutcome, kind: AlertKind, failingSince: number | undefined): MonitorAlertEvent => {
  const scores = kind === "alert" ? outcome.scores.filter((s) => !s.passed) : outcome.scores.filter((s) => s.feature === "");
  return {
    monitor: monitor.name,
    time: run.time,
    check: outcome.check,
    kind,
    status: outcome.status,
    message: outcome.message,
    windowRows: run.rows,
    features: outcome.features,
    ...(failingSince !== undefined ? { failingSince } : {}),
    scores: scores.slice(0, MAX_SCORES_IN_EVENT).map((s) => ({ feature: s.feature, method: s.method, statistic: s.statistic, threshold: s.threshold })),
  };
};
