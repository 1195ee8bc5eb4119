import { Gauge, type Registry } from "prom-client";
import { OwnedGauge } from "../../serving/metrics/owned-gauge.js";
import { CHECK_STATUSES, type MonitorRun } from "./monitor.js";

/**
 * The latest scores as Prometheus gauges, in the registry the server exposes on /metrics. Labels come from the
 * monitor's definition and the model's features (bounded sets), never from request content. A monitor's series
 * are removed when it is deleted, or when a feature disappears from its latest run.
 */
export class MonitorGauges {
  private readonly score: OwnedGauge<"monitor" | "check" | "feature" | "method">;
  private readonly passing: Gauge<"monitor" | "check">;
  private readonly status: Gauge<"monitor" | "check" | "status">;
  private readonly lastRun: Gauge<"monitor">;
  private readonly rows: Gauge<"monitor">;
  private readonly checks = new Map<string, string[]>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.score = new OwnedGauge(
      new Gauge({
        name: "cairn_monitor_score",
        help: "Latest score of a monitor check per feature (feature \"\" is the check's summary); NaN when it could not be computed.",
        labelNames: ["monitor", "check", "feature", "method"],
        registers,
      }),
    );
    this.passing = new Gauge({
      name: "cairn_monitor_check_passing",
      help: "1 when the check passed on its latest run; 0 when it failed, could not run, or had too few rows to judge.",
      labelNames: ["monitor", "check"],
      registers,
    });
    this.status = new Gauge({
      name: "cairn_monitor_check_status",
      help: "The status of the check's latest run: 1 for the status it had (pass, fail, insufficient_data, error), 0 for the others.",
      labelNames: ["monitor", "check", "status"],
      registers,
    });
    this.lastRun = new Gauge({ name: "cairn_monitor_last_run_timestamp_seconds", help: "When the monitor last ran (Unix seconds).", labelNames: ["monitor"], registers });
    this.rows = new Gauge({ name: "cairn_monitor_window_rows", help: "Rows in the monitor's window on its latest run.", labelNames: ["monitor"], registers });
  }

  record(run: MonitorRun): void {
    this.score.replace(
      run.monitor,
      run.checks.flatMap((outcome) =>
        outcome.scores.map((s) => ({ labels: { monitor: run.monitor, check: s.check, feature: s.feature, method: s.method }, value: s.statistic ?? Number.NaN })),
      ),
    );
    for (const outcome of run.checks) {
      this.passing.set({ monitor: run.monitor, check: outcome.check }, outcome.status === "pass" ? 1 : 0);
      for (const status of CHECK_STATUSES) this.status.set({ monitor: run.monitor, check: outcome.check, status }, outcome.status === status ? 1 : 0);
    }
    for (const check of this.checks.get(run.monitor) ?? []) {
      if (!run.checks.some((c) => c.check === check)) this.removeCheck(run.monitor, check);
    }
    this.checks.set(run.monitor, run.checks.map((c) => c.check));
    this.lastRun.set({ monitor: run.monitor }, run.time / 1000);
    this.rows.set({ monitor: run.monitor }, run.rows);
  }

  remove(monitor: string): void {
    this.score.remove(monitor);
    for (const check of this.checks.get(monitor) ?? []) this.removeCheck(monitor, check);
    this.checks.delete(monitor);
    this.lastRun.remove({ monitor });
    this.rows.remove({ monitor });
  }

  private removeCheck(monitor: string, check: string): void {
    this.passing.remove({ monitor, check });
    for (const status of CHECK_STATUSES) this.status.remove({ monitor, check, status });
  }
}
