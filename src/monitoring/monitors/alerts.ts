import { systemContext } from "../../core/actor.js";
import { MonitorEventType, type EventSink } from "../../core/events.js";
import type { CheckOutcome, Monitor, MonitorRun } from "./monitor.js";
import type { MonitorStore } from "./store.js";

export { MonitorEventType };

const MAX_SCORES_IN_EVENT = 50;

/**
 * Alerts on changes of state only: "monitor.alert" when a check goes from passing (or never run) to failing,
 * "monitor.recovered" when it passes again; nothing while it stays as it was. The state is stored, so a restart
 * neither repeats an alert nor forgets one that is open.
 */
export const publishAlerts = async (monitor: Monitor, run: MonitorRun, store: MonitorStore, events: EventSink): Promise<void> => {
  const states = new Map((await store.alertStates(monitor.name)).map((s) => [s.check, s]));
  for (const outcome of run.checks) {
    const failingBefore = states.get(outcome.check)?.failing ?? false;
    if (outcome.passed === !failingBefore) continue;
    const type = outcome.passed ? MonitorEventType.RECOVERED : MonitorEventType.ALERT;
    await store.setAlertState(monitor.name, { check: outcome.check, failing: !outcome.passed, since: run.time });
    await events.publish({
      type,
      time: run.time,
      actor: systemContext().actor,
      requestId: `monitor:${monitor.name}:${run.time}`,
      payload: payloadOf(monitor, run, outcome, failingBefore ? states.get(outcome.check)?.since : undefined),
    });
  }
};

const payloadOf = (monitor: Monitor, run: MonitorRun, outcome: CheckOutcome, failingSince: number | undefined): Record<string, unknown> => {
  const scores = outcome.passed ? outcome.scores.filter((s) => s.feature === "") : outcome.scores.filter((s) => !s.passed);
  return {
    monitor: monitor.name,
    deployment: monitor.deployment,
    check: outcome.check,
    message: outcome.message,
    window_rows: run.rows,
    ...(failingSince !== undefined ? { failing_since: failingSince } : {}),
    scores: scores.slice(0, MAX_SCORES_IN_EVENT).map((s) => ({ feature: s.feature, method: s.method, statistic: s.statistic, threshold: s.threshold })),
  };
};
