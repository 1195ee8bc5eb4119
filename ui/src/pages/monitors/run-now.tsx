import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { formatTime } from "../../format";
import { CHECK_LABELS } from "./monitor-describe";
import { monitorKeys, runMonitor, type MonitorRunWire } from "./monitor-wire";

/** Runs the monitor now; its result is shown until the next run, and the dashboard reads the new scores. */
export const useRunNow = (name: string) => {
  const client = useQueryClient();
  return useMutation<MonitorRunWire, Error, void>({
    mutationFn: () => runMonitor(name),
    onSuccess: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: monitorKeys.one(name) }),
        client.invalidateQueries({ queryKey: monitorKeys.latest(name) }),
        client.invalidateQueries({ queryKey: ["monitors", "history", name] }),
        client.invalidateQueries({ queryKey: ["monitors", "alerts", name] }),
        client.invalidateQueries({ queryKey: monitorKeys.list() }),
      ]);
    },
  });
};

/** The answer of monitors/run in words: each check with its message (the only place the messages are given). */
export const RunResult = ({ run }: { run: MonitorRunWire }): ReactNode => (
  <section className="card run-result" aria-labelledby="run-result-heading">
    <h2 id="run-result-heading">
      Run at {formatTime(run.time)}: {run.checks.length === 0 ? "nothing to check" : run.passed ? "all checks passed" : "checks failed"}
    </h2>
    {run.checks.length === 0 ? (
      <p className="muted">The window held no logged rows ({run.rows} rows), so nothing was judged and no alert changed.</p>
    ) : (
      <>
        <p className="muted">{run.rows.toLocaleString("en-US")} rows in the window.</p>
        <ul className="check-list">
          {run.checks.map((check) => (
            <li key={check.check}>
              <span className={`badge ${check.passed ? "ok" : "danger"}`}>{check.passed ? "passed" : "failed"}</span> <strong>{CHECK_LABELS[check.check]}</strong>: {check.message}
            </li>
          ))}
        </ul>
      </>
    )}
  </section>
);
