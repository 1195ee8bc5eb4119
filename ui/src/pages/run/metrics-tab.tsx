import { useMemo, type ReactNode } from "react";
import type { Run } from "../../api/entities";
import { ChartOptionsBar } from "../../charts/chart-options-bar";
import { MetricHistoryChart } from "../../charts/metric-history-chart";
import { useChartOptions } from "../../charts/use-chart-options";
import { Empty } from "../../components/status";
import { useQueryList } from "../../url-state";
import { MetricPicker } from "./metric-picker";

/** One chart per metric of the run, or per metric chosen in the URL (`metric=loss&metric=acc`). */
export const MetricsTab = ({ run }: { run: Run }): ReactNode => {
  const options = useChartOptions();
  const [chosen, setChosen] = useQueryList("metric");
  const allKeys = useMemo(() => [...new Set((run.data.metrics ?? []).map((metric) => metric.key))].sort(), [run.data.metrics]);
  const shownKeys = chosen.length > 0 ? chosen.filter((key) => allKeys.includes(key)) : allKeys;
  const runs = useMemo(() => [run], [run]);
  if (allKeys.length === 0) return <Empty>This run logged no metrics.</Empty>;
  return (
    <div>
      <div className="toolbar">
        <ChartOptionsBar options={options} />
        <MetricPicker allKeys={allKeys} chosen={chosen} onChange={setChosen} />
      </div>
      <div className="chart-grid">
        {shownKeys.map((key) => (
          <MetricHistoryChart key={key} metricKey={key} runs={runs} options={options} />
        ))}
      </div>
    </div>
  );
};
