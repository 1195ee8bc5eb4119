import { useMemo, type ReactNode } from "react";
import type { Run } from "../../api/entities";
import { ChartOptionsBar } from "../../charts/chart-options-bar";
import { MetricHistoryChart } from "../../charts/metric-history-chart";
import { useChartOptions } from "../../charts/use-chart-options";
import { useQueryList } from "../../url-state";
import { MetricPicker } from "../run/metric-picker";
import { metricKeys } from "./run-fields";

/** One chart per metric key (or per key chosen in the URL), one line per run that logged it. */
export const CompareCharts = ({ runs }: { runs: readonly Run[] }): ReactNode => {
  const options = useChartOptions();
  const [chosen, setChosen] = useQueryList("metric");
  const keys = useMemo(() => metricKeys(runs), [runs]);
  const shown = chosen.length > 0 ? chosen.filter((key) => keys.includes(key)) : keys;
  return (
    <section aria-labelledby="compare-charts-heading" className="compare-section">
      <h2 id="compare-charts-heading">Metric histories</h2>
      {keys.length === 0 ? (
        <p className="muted">These runs logged no metrics.</p>
      ) : (
        <>
          <div className="toolbar">
            <ChartOptionsBar options={options} />
            <MetricPicker allKeys={keys} chosen={chosen} onChange={setChosen} />
          </div>
          <div className="chart-grid">
            {shown.map((key) => (
              <MetricHistoryChart key={key} metricKey={key} runs={runs} options={options} />
            ))}
          </div>
        </>
      )}
    </section>
  );
};
