import { act, screen } from "@testing-library/react";
import { useEffect, useState, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Metric, Run } from "../../api/entities";
import { installFakeCanvas } from "../../charts/test-support/fake-canvas";
import { installFakeIntersectionObserver, type FakeIntersection } from "../../charts/test-support/fake-intersection-observer";
import { renderWithApp } from "../../test-support/render";
import { MetricsTab } from "./metrics-tab";

const KEYS = ["acc", "f1", "loss", "lr", "recall"];

const runWith = (status: string, latest: (key: string) => Metric): Run =>
  ({
    info: { run_id: "r1", run_name: "baseline", status, artifact_uri: "", experiment_id: "7" },
    data: { metrics: KEYS.map(latest), params: [], tags: [] },
  }) as unknown as Run;

const historyUrl = (key: string): string => `/ajax-api/2.0/mlflow/metrics/get-history?run_id=r1&metric_key=${key}&max_results=10000`;
/** The tab inside the app's providers, with a way to hand it the run as polling would (RTL's rerender drops the providers). */
const Polled = ({ initial, expose }: { initial: Run; expose(setRun: (run: Run) => void): void }): ReactNode => {
  const [run, setRun] = useState(initial);
  useEffect(() => expose(setRun), [expose]);
  return <MetricsTab run={run} />;
};

const card = (key: string): HTMLElement => screen.getByRole("region", { name: `Metric ${key}` });

describe("MetricsTab, lazily", () => {
  let intersection: FakeIntersection;
  let fetched: string[];

  beforeEach(() => {
    installFakeCanvas();
    intersection = installFakeIntersectionObserver();
    fetched = [];
    vi.stubGlobal("fetch", async (url: string) => {
      fetched.push(url);
      const key = new URL(url, "http://ui").searchParams.get("metric_key") ?? "";
      const metrics = [0, 1, 2].map((step) => ({ key, value: step / 10, step, timestamp: 1_700_000_000_000 + step }));
      return new Response(JSON.stringify({ metrics }));
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it("fetches a metric's history and draws its chart only once its card nears the viewport, and keeps it", async () => {
    const run = runWith("RUNNING", (key) => ({ key, value: 0.2, step: 2, timestamp: 1_700_000_000_002 }));
    let showRun: (next: Run) => void = () => undefined;
    renderWithApp(<Polled initial={run} expose={(setRun) => (showRun = setRun)} />, "/experiments/7/runs/r1?tab=metrics");
    // Every card is there with its heading; none has fetched or drawn anything yet.
    expect(screen.getAllByRole("heading", { level: 3 }).map((heading) => heading.textContent)).toEqual(KEYS);
    expect(fetched).toEqual([]);
    expect(screen.queryAllByRole("figure")).toEqual([]);
    expect(intersection.watching()).toBe(5);
    expect(intersection.options.map((init) => init.rootMargin)).toEqual(Array(5).fill("100% 0px 100% 0px"));

    act(() => {
      intersection.report(card("f1"), true);
      intersection.report(card("lr"), true);
      intersection.report(card("acc"), false);
    });
    await screen.findByRole("figure", { name: "lr chart" });
    await screen.findByRole("figure", { name: "f1 chart" });
    expect([...fetched].sort()).toEqual([historyUrl("f1"), historyUrl("lr")]);
    expect(screen.getAllByRole("figure").map((figure) => figure.getAttribute("aria-label"))).toEqual(["f1 chart", "lr chart"]);
    // The loaded cards stop being watched; leaving the viewport does not unload them.
    expect(intersection.watching()).toBe(3);
    act(() => intersection.report(card("f1"), false));
    expect(screen.getByRole("figure", { name: "f1 chart" })).toBeTruthy();

    // The running run logs new points to every metric: only the loaded charts follow them.
    fetched.length = 0;
    act(() => showRun(runWith("RUNNING", (key) => ({ key, value: 0.3, step: 3, timestamp: 1_700_000_000_003 }))));
    await vi.waitFor(() => expect([...fetched].sort()).toEqual([historyUrl("f1"), historyUrl("lr")]));

    // A card that comes near later fetches the history as it is now, once.
    act(() => intersection.report(card("recall"), true));
    await screen.findByRole("figure", { name: "recall chart" });
    expect(fetched.filter((url) => url === historyUrl("recall"))).toEqual([historyUrl("recall")]);
    expect(fetched).toHaveLength(3);
  });
});

describe("MetricsTab, a metric logged once", () => {
  let intersection: FakeIntersection;
  beforeEach(() => {
    installFakeCanvas();
    intersection = installFakeIntersectionObserver();
    vi.stubGlobal("fetch", async (url: string) => {
      const key = new URL(url, "http://ui").searchParams.get("metric_key") ?? "";
      // loss has a history; every other metric was logged once, at step 4.
      const steps = key === "loss" ? [0, 1, 2] : [4];
      return new Response(JSON.stringify({ metrics: steps.map((step) => ({ key, value: key === "acc" ? 0.9375 : step / 10, step, timestamp: 1_700_000_000_000 + step })) }));
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it("shows the value itself, not an empty chart, and draws the chart of a metric with a history", async () => {
    const run = runWith("FINISHED", (key) => ({ key, value: 0.2, step: 2, timestamp: 1_700_000_000_002 }));
    renderWithApp(<MetricsTab run={run} />, "/experiments/7/runs/r1?tab=metrics");
    act(() => {
      intersection.report(card("acc"), true);
      intersection.report(card("loss"), true);
    });
    const value = await screen.findByRole("figure", { name: "acc value" });
    expect(value.querySelector(".single-value-number")?.textContent).toBe("0.9375");
    expect(value.textContent).toContain("baseline");
    expect(value.textContent).toContain("step 4");
    expect(screen.queryByRole("figure", { name: "acc chart" })).toBeNull();
    await screen.findByRole("figure", { name: "loss chart" });
  });
});
