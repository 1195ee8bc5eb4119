import type { CheckName, MonitorWire } from "./monitor-wire";
import { formatSeconds } from "./time-range";

export const CHECK_LABELS: Record<CheckName, string> = {
  drift: "Drift",
  skew: "Training/serving skew",
  data_tests: "Data tests",
  quality: "Quality",
};

/** "last 5,000 rows" or "last 1 h" of the prediction log. */
export const describeWindow = (window: MonitorWire["window"]): string =>
  window.last_rows !== undefined ? `last ${window.last_rows.toLocaleString("en-US")} rows` : window.last_seconds !== undefined ? `last ${formatSeconds(window.last_seconds)}` : "—";

/** The checks a monitor runs, each with what it compares against: "drift vs training profile", "quality accuracy ≥ 0.9". */
export const describeChecks = (checks: MonitorWire["checks"]): string[] => {
  const parts: string[] = [];
  if (checks.drift) parts.push(`drift vs ${checks.drift.reference === "training_profile" ? "training profile" : checks.drift.reference.path}`);
  if (checks.skew) parts.push("skew vs training profile");
  if (checks.data_tests) parts.push("data tests");
  if (checks.quality) {
    const higherIsBetter = checks.quality.metric === "accuracy" || checks.quality.metric === "f1";
    parts.push(`${checks.quality.metric} ${higherIsBetter ? "≥" : "≤"} ${checks.quality.threshold}`);
  }
  return parts;
};
