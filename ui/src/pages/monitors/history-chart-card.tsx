import { useMemo, type ReactNode } from "react";
import { ErrorBanner, Loading } from "../../components/status";
import { useQueryParam } from "../../url-state";
import { featureSeries, isPValueMethod } from "./monitor-results";
import type { HistoryRead } from "./monitor-wire";
import { ScoreChart } from "./score-chart";
import { HISTORY_RANGES } from "./time-range";

const CHARTED = [
  { key: "drift", label: "Drift" },
  { key: "skew", label: "Skew" },
] as const;

type ChartedCheck = (typeof CHARTED)[number]["key"];

/** Drift scores are p-values for hypothesis tests and distances otherwise; the axis says which it shows. */
const axisLabel = (check: ChartedCheck, methods: string[]): string => {
  if (check === "skew") return "skew distance";
  if (methods.length > 0 && methods.every(isPValueMethod)) return "p-value (drift below threshold)";
  if (methods.every((m) => !isPValueMethod(m))) return "distance (drift at or above threshold)";
  return "score (p-value or distance)";
};

/** Scores over time per feature for the chosen check and range (both in the URL: `chart`, `range`). */
export const HistoryChartCard = ({
  history,
  error,
  pending,
  rangeKey,
  onRange,
}: {
  history: HistoryRead | undefined;
  error: unknown;
  pending: boolean;
  rangeKey: string;
  onRange: (key: string) => void;
}): ReactNode => {
  const [checkParam, setCheck] = useQueryParam("chart", "drift");
  const check: ChartedCheck = checkParam === "skew" ? "skew" : "drift";
  const set = useMemo(() => (history ? featureSeries(history.results, check) : undefined), [history, check]);
  const methods = set ? [...new Set(set.series.map((s) => s.method))] : [];
  const label = axisLabel(check, methods);
  return (
    <section className="card" aria-labelledby="chart-heading">
      <div className="card-title-row">
        <h2 id="chart-heading">{check === "drift" ? "Drift" : "Skew"} score over time</h2>
        <div className="toolbar">
          <label>
            <span className="muted">Check </span>
            <select value={check} onChange={(event) => setCheck(event.target.value)}>
              {CHARTED.map((c) => (
                <option key={c.key} value={c.key}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="muted">Period </span>
            <select value={rangeKey} onChange={(event) => onRange(event.target.value)}>
              {HISTORY_RANGES.map((r) => (
                <option key={r.key} value={r.key}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {pending ? <Loading what="the history" /> : null}
      <ErrorBanner error={error} what="the monitor's history" />
      {history?.truncated ? <p className="muted">This period holds more scores than one view reads; the chart shows the newest part. Choose a shorter period.</p> : null}
      {set && set.times.length === 0 ? <p className="muted">No {check} scores in this period.</p> : null}
      {set && set.times.length > 0 ? (
        <ScoreChart
          set={set}
          yLabel={label}
          description={`${check === "drift" ? "Drift" : "Skew"} ${label} of ${set.series.length} features over ${set.times.length} runs; thresholds ${set.thresholds.join(", ") || "none"}`}
        />
      ) : null}
    </section>
  );
};
