import { render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MetricChart } from "./metric-chart";
import { installFakeCanvas } from "./test-support/fake-canvas";

const loss = { label: "baseline", points: [{ x: 0, y: 2 }, { x: 1, y: 1 }, { x: 2, y: 0.5 }] };
const tuned = { label: "tuned", points: [{ x: 0, y: 1.5 }, { x: 2, y: 0.25 }] };

const legendLabels = (): string[] => Array.from(screen.getByRole("figure", { name: "loss chart" }).querySelectorAll(".u-legend .u-series .u-label")).map((node) => node.textContent ?? "");
const chartRoot = (): Element | null => screen.getByRole("figure", { name: "loss chart" }).querySelector(".uplot");

describe("MetricChart", () => {
  beforeEach(() => installFakeCanvas());
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it("names its series in the legend and keeps one uPlot instance while only the data changes", () => {
    const { rerender, unmount } = render(<MetricChart title="loss" series={[loss, tuned]} xLabel="Step" />);
    expect(legendLabels()).toEqual(["Step", "baseline", "tuned"]);
    const first = chartRoot();
    expect(first).not.toBeNull();

    // New points and a new smoothing weight go through setData: the same chart element stays.
    rerender(<MetricChart title="loss" series={[{ ...loss, points: [...loss.points, { x: 3, y: 0.4 }] }, tuned]} xLabel="Step" smoothing={0.5} />);
    expect(chartRoot()).toBe(first);

    // A log axis is another chart shape: rebuilt, and the old one is gone.
    rerender(<MetricChart title="loss" series={[loss, tuned]} xLabel="Step" logY />);
    expect(chartRoot()).not.toBe(first);
    expect(screen.getByRole("figure", { name: "loss chart" }).querySelectorAll(".uplot")).toHaveLength(1);

    unmount();
    expect(document.querySelectorAll(".uplot")).toHaveLength(0);
  });
});
