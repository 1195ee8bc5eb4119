import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { HistoryChartCard } from "./history-chart-card";
import type { FeatureSeriesSet } from "./monitor-results";
import type { HistoryRead, MonitorResult } from "./monitor-wire";

// uPlot draws on a canvas, which happy-dom has not; the chart's input is what this test checks.
vi.mock("./score-chart", () => ({
  ScoreChart: ({ set, description }: { set: FeatureSeriesSet; description: string }) => (
    <div role="img" aria-label={description}>
      {set.series.map((s) => s.feature).join(" ")}
    </div>
  ),
}));

// Eight features, f0 drifting least and f7 most in the newest run (distance 0.02 * (i + 1), threshold 0.1).
const T1 = 1_700_000_000_000;
const T2 = T1 + 3_600_000;
const score = (time: number, feature: string, statistic: number): MonitorResult => ({ time, check: "drift", feature, method: "jensenshannon", statistic, threshold: 0.1, passed: statistic < 0.1 });
const history: HistoryRead = {
  results: Array.from({ length: 8 }, (_, i) => [score(T2, `f${i}`, 0.02 * (i + 1)), score(T1, `f${i}`, 0.01)]).flat(),
  fromStart: true,
  truncated: false,
};

const chartText = (): string => screen.getByRole("img").textContent ?? "";

describe("HistoryChartCard", () => {
  it("draws the five most drifting features by default, and others or all on demand, kept in the URL", () => {
    const { location } = renderWithApp(<HistoryChartCard history={history} error={null} pending={false} rangeKey="7d" onRange={() => undefined} />, "/monitors/m");
    expect(chartText()).toBe("f7 f6 f5 f4 f3");
    expect(screen.getByRole("img").getAttribute("aria-label")).toBe("Drift distance (drift at or above threshold) of 5 of 8 features over 2 runs; thresholds 0.1");
    expect(screen.getByText("Features: 5 of 8")).toBeTruthy();

    fireEvent.click(screen.getByRole("checkbox", { name: "f0" }));
    expect(location.history.at(-1)).toBe("/monitors/m?feature=f7&feature=f6&feature=f5&feature=f4&feature=f3&feature=f0");
    expect(chartText()).toBe("f7 f6 f5 f4 f3 f0");

    fireEvent.click(screen.getByRole("button", { name: "All features" }));
    expect(location.history.at(-1)).toBe("/monitors/m?feature=*");
    expect(chartText()).toBe("f7 f6 f5 f4 f3 f2 f1 f0");
    expect(screen.getByText("Features: all 8")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Top 5" }));
    expect(location.history.at(-1)).toBe("/monitors/m");
    expect(chartText()).toBe("f7 f6 f5 f4 f3");
  });
});
