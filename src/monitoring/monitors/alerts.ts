import { systemContext } from "../../core/actor.js";
import { MonitorEventType, type EventSink } from "../../core/events.js";
import type { CheckOutcome, Monitor, MonitorAlertEvent, MonitorRun } from "./monitor.js";
import type { MonitorStore } from "./store.js";

export { MonitorEventType };

const MAX_SCORES_IN_EVENT = 50;

/**
 * Alerts on changes of state only: "monitor.alert" when a check goes from passing (or never run) to failing,
 * "monitor.recovered" when it passes again; nothing while it stays as it was. The state is stored, so a restart
 * neither repeats an alert nor forgets one that is open. Each event is kept too (monitors/alerts lists them).
 */
export const publishAlerts = async (monitor: Monitor, run: MonitorRun, store: MonitorStore, events: EventSink): Promise<void> => {
  const states = new Map((await store.alertStates(monitor.name)).map((s) => [s.check, s]));
  for (const outcome of run.checks) {
    const failingBefore = states.get(outcome.check)?.failing ?? false;
    if (outcome.passed === !failingBefore) continue;
    const failingSince = failingBefore ? states.get(outcome.check)?.since : undefined;
    const event = eventOf(monitor, run, outcome, failingSince);
    // Stored before it is published: a crash in between loses a webhook delivery, never the record of the change.
    await store.recordAlert(event);
    await events.publish({
      type: outcome.passed ? MonitorEventType.RECOVERED : MonitorEventType.ALERT,
      time: run.time,
      actor: systemContext().actor,
      requestId: `monitor:${monitor.name}:${run.time}`,
      payload: {
        monitor: monitor.name,
        deployment: monitor.deployment,
        check: event.check,
        message: event.message,
        window_rows: event.windowRows,
        ...(event.failingSince !== undefined ? { failing_since: event.failingSince } : {}),
        scores: event.scores,
      },
    });
  }
};

const eventOf = (monitor: Monitor, run: MonitorRun, outcome: CheckOutcome, failingSince: number | undefined): MonitorAlertEvent => {
  const scores = outcome.passed ? outcome.scores.filter((s) => s.feature === "") : outcome.scores.filter((s) => !s.passed);
  return {
    monitor: monitor.name,
    time: run.time,
    check: outcome.check,
    kind: outcome.passed ? "recovered" : "alert",
    message: outcome.message,
    windowRows: run.rows,
    ...(failingSince !== undefined ? { failingSince } : {}),
    scores: scores.slice(0, MAX_SCORES_IN_EVENT).map((s) => ({ feature: s.feature, method: s.method, statistic: s.statistic, threshold: s.threshold })),
  };
};
