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

    // New points go through setData: the same chart element stays.
    rerender(<MetricChart title="loss" series={[{ ...loss, points: [...loss.points, { x: 3, y: 0.4 }] }, tuned]} xLabel="Step" />);
    expect(chartRoot()).toBe(first);

    // Smoothing adds the faint raw lines (drawn first, behind): another shape, rebuilt.
    rerender(<MetricChart title="loss" series={[loss, tuned]} xLabel="Step" smoothing={0.3} />);
    const smoothed = chartRoot();
    expect(smoothed).not.toBe(first);
    expect(legendLabels()).toEqual(["Step", "baseline (raw)", "tuned (raw)", "baseline", "tuned"]);
    expect(Array.from(screen.getByRole("figure", { name: "loss chart" }).querySelectorAll(".u-legend .raw-series .u-label")).map((node) => node.textContent)).toEqual(["baseline (raw)", "tuned (raw)"]);

    // Another weight is only new data.
    rerender(<MetricChart title="loss" series={[loss, tuned]} xLabel="Step" smoothing={0.6} />);
    expect(chartRoot()).toBe(smoothed);

    // A log axis is another chart shape: rebuilt, and the old one is gone.
    rerender(<MetricChart title="loss" series={[loss, tuned]} xLabel="Step" logY />);
    expect(chartRoot()).not.toBe(smoothed);
    expect(legendLabels()).toEqual(["Step", "baseline", "tuned"]);
    expect(screen.getByRole("figure", { name: "loss chart" }).querySelectorAll(".uplot")).toHaveLength(1);

    unmount();
    expect(document.querySelectorAll(".uplot")).toHaveLength(0);
  });
});
