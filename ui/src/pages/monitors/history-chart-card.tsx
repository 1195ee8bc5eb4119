import { useMemo, type ReactNode } from "react";
import { ErrorBanner, Loading } from "../../components/status";
import { useQueryList, useQueryParam } from "../../url-state";
import { rankFeatures, TOP_FEATURES } from "./feature-ranking";
import { featureSeries, isPValueMethod, type FeatureSeriesSet } from "./monitor-results";
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

/** Only the shown features' lines, in the order shown (most drifting first); every threshold line stays. */
const onlyFeatures = (set: FeatureSeriesSet, shown: readonly string[]): FeatureSeriesSet => {
  const order = new Map(shown.map((feature, index) => [feature, index]));
  const series = set.series.filter((s) => order.has(s.feature)).sort((a, b) => (order.get(a.feature) ?? 0) - (order.get(b.feature) ?? 0));
  return { ...set, series };
};

/**
 * Which features the chart draws: the TOP_FEATURES most drifting by default, or those chosen (`feature=` in the URL,
 * `feature=*` for all). A monitor may watch hundreds of columns; thirty lines on one chart read as none.
 */
const FeatureChooser = ({ ranked, shown, onChange }: { ranked: readonly string[]; shown: readonly string[]; onChange: (features: readonly string[]) => void }): ReactNode => {
  const toggle = (feature: string, on: boolean): void => onChange(on ? [...shown, feature] : shown.filter((f) => f !== feature));
  return (
    <details className="feature-chooser">
      <summary>
        Features: {shown.length === ranked.length ? `all ${ranked.length}` : `${shown.length} of ${ranked.length}`}
      </summary>
      <div className="feature-chooser-panel">
        <div className="toolbar">
          <button type="button" onClick={() => onChange([])}>
            Top {TOP_FEATURES}
          </button>
          <button type="button" onClick={() => onChange(["*"])}>
            All features
          </button>
        </div>
        <fieldset>
          <legend className="muted">Most drifting first</legend>
          {ranked.map((feature) => (
            <label key={feature}>
              <input type="checkbox" checked={shown.includes(feature)} onChange={(event) => toggle(feature, event.target.checked)} /> {feature}
            </label>
          ))}
        </fieldset>
      </div>
    </details>
  );
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
  const [chosen, setChosen] = useQueryList("feature");
  const ranked = useMemo(() => (history ? rankFeatures(history.results, check) : []), [history, check]);
  const shown = useMemo(() => {
    if (chosen.includes("*")) return ranked;
    const picked = chosen.filter((feature) => ranked.includes(feature));
    return picked.length > 0 ? picked : ranked.slice(0, TOP_FEATURES);
  }, [chosen, ranked]);
  const all = useMemo(() => (history ? featureSeries(history.results, check) : undefined), [history, check]);
  const set = useMemo(() => (all ? onlyFeatures(all, shown) : undefined), [all, shown]);
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
      {set && set.times.length > 0 ? <FeatureChooser ranked={ranked} shown={shown} onChange={(features) => setChosen(features, { push: true })} /> : null}
      {set && set.times.length > 0 ? (
        <ScoreChart
          set={set}
          yLabel={label}
          description={`${check === "drift" ? "Drift" : "Skew"} ${label} of ${set.series.length === ranked.length ? "" : `${set.series.length} of `}${ranked.length} features over ${set.times.length} runs; thresholds ${set.thresholds.join(", ") || "none"}`}
        />
      ) : null}
    </section>
  );
};
