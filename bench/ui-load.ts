import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { newRunId } from "../src/core/ids.js";
import { startServer } from "../src/server/start.js";
import { openMetadataStores } from "../src/stores/registry.js";
import { launchBrowser } from "../test/e2e/support/browser.js";
import { percentile } from "./stats.js";

/**
 * The web UI's runs page over an experiment of 100,000 runs (3 metrics, 3 params, 1 tag each, written straight
 * through the store), served with the built UI by a real server, loaded in Debian's Chromium:
 *  - first rows: from navigation start to the first animation frame after the table's first rows are in the DOM,
 *    over NAVIGATIONS cold navigations (a fresh browser context each: no HTTP cache, no query cache), p50 and max;
 *  - baseline: the same first page's runs/search request (the body the UI sends), p50, from this process;
 *  - scrolling: 20,000 px down the table, SCROLL_STEP px per animation frame (pages load as it goes): frames per
 *    second, the longest frame, and long tasks (main-thread tasks over 50 ms) seen by a PerformanceObserver.
 * BENCH_UI_RUNS changes the run count; CAIRN_WEB_UI_DIR skips the UI build and uses a built UI from there.
 */
const RUNS = Number(process.env.BENCH_UI_RUNS ?? 100_000);
const NAVIGATIONS = 10;
const SCROLL_PX = 20_000;
const SCROLL_STEP = 100;
/** What the runs page asks first: its default sort and first page size (ui/src/pages/runs/runs-query.ts). */
const FIRST_PAGE_BODY = { order_by: ["attributes.start_time DESC"], run_view_type: "ACTIVE_ONLY", max_results: 100 };
const ROW = "table.runs-table tbody tr:not(.spacer)";

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
const sortedCopy = (values: number[]): number[] => [...values].sort((a, b) => a - b);

const buildUi = async (outDir: string): Promise<void> => {
  const child = spawn("npx", ["vite", "build", "--config", "ui/vite.config.ts", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`vite build failed (${code}): ${stderr}`);
};

/** 100,000 runs through the tracking store (setup, not measured). */
const populate = async (file: string): Promise<string> => {
  const stores = await openMetadataStores(`sqlite:///${file}`);
  const store = stores.tracking;
  const experimentId = await store.createExperiment({
    name: "ui-load",
    tags: [],
    now: Date.now(),
    defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`,
  });
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let r = 0; r < RUNS; r += 1) {
    const runId = newRunId();
    const startTime = 1_700_000_000_000 + r * 1000;
    await store.createRun({
      runId,
      experimentId,
      userId: `user-${r % 7}`,
      runName: `run-${String(r).padStart(6, "0")}`,
      status: "FINISHED",
      startTime,
      artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      tags: [{ key: "team", value: `team-${r % 5}` }],
    });
    const acc = random();
    await store.logBatch(runId, {
      metrics: [
        { key: "acc", value: acc, timestamp: startTime, step: 0 },
        { key: "loss", value: 1 - acc, timestamp: startTime, step: 0 },
        { key: "f1", value: random(), timestamp: startTime, step: 0 },
      ],
      params: [
        { key: "lr", value: String([0.1, 0.01, 0.001][r % 3]) },
        { key: "depth", value: String(2 + (r % 8)) },
        { key: "optimizer", value: r % 2 ? "adam" : "sgd" },
      ],
      tags: [],
    });
  }
  await stores.close();
  return experimentId;
};

/** Before any script of the page runs: note when the first table row enters the DOM, and the frame after. */
const FIRST_ROW_PROBE = `
  new MutationObserver((records, observer) => {
    if (document.querySelector(${JSON.stringify(ROW)})) {
      observer.disconnect();
      window.__rowsInDom = performance.now();
      requestAnimationFrame(() => { window.__rowsFrame = performance.now(); });
    }
  }).observe(document, { childList: true, subtree: true });
`;

interface FirstRows {
  rowsInDomMs: number;
  rowsFrameMs: number;
  searchRequestMs: number;
}

// The scripts below run in the page. They are text, not functions, because this project's Node type-check has no
// DOM types (and must not get them globally for one file).
const FIRST_ROWS_READOUT = `(() => {
  const search = performance.getEntriesByType("resource").find((entry) => entry.name.includes("/runs/search"));
  return { rowsInDomMs: window.__rowsInDom, rowsFrameMs: window.__rowsFrame, searchRequestMs: search ? search.duration : NaN };
})()`;

const measureNavigation = async (newPage: () => Promise<{ page: Page; close: () => Promise<void> }>, url: string): Promise<FirstRows> => {
  const { page, close } = await newPage();
  try {
    await page.addInitScript(FIRST_ROW_PROBE);
    await page.goto(url, { waitUntil: "commit" });
    // Not waitForFunction: its string predicate is an eval, which the UI's Content-Security-Policy refuses.
    await page.locator(ROW).first().waitFor({ timeout: 30_000 });
    while (!(await page.evaluate("'__rowsFrame' in window"))) await new Promise((resolve) => setTimeout(resolve, 10));
    return (await page.evaluate(FIRST_ROWS_READOUT)) as FirstRows;
  } finally {
    await close();
  }
};

interface ScrollResult {
  scrolled_px: number;
  duration_ms: number;
  frames: number;
  frames_per_s: number;
  longest_frame_ms: number;
  frames_over_50ms: number;
  long_tasks: number;
  long_task_total_ms: number;
  rows_loaded_after: number;
  last_rendered_row_index: number;
}

/** Scrolls the table `step` px per frame until `total` px are scrolled (or 20 s pass), counting frames. */
const SCROLL_SCRIPT = `async ({ total, step, row }) => {
  const scroller = document.querySelector(".runs-scroll");
  if (!scroller) throw new Error("no .runs-scroll element");
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push(entry.duration);
  });
  observer.observe({ type: "longtask", buffered: false });
  const frameTimes = [];
  const started = performance.now();
  await new Promise((resolve) => {
    const frame = (now) => {
      frameTimes.push(now);
      if (scroller.scrollTop >= total || now - started > 20000) return resolve();
      scroller.scrollTop += step;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  const duration = performance.now() - started;
  // Let a long task that ended with the last frame reach the observer.
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  const gaps = frameTimes.slice(1).map((time, index) => time - frameTimes[index]);
  const rows = [...document.querySelectorAll(row)];
  const status = document.querySelector(".runs-count")?.textContent ?? "";
  return {
    scrolled_px: scroller.scrollTop,
    duration_ms: Math.round(duration),
    frames: frameTimes.length,
    frames_per_s: Math.round((frameTimes.length / duration) * 10000) / 10,
    longest_frame_ms: Math.round(Math.max(0, ...gaps) * 10) / 10,
    frames_over_50ms: gaps.filter((gap) => gap > 50).length,
    long_tasks: longTasks.length,
    long_task_total_ms: Math.round(longTasks.reduce((sum, value) => sum + value, 0)),
    rows_loaded_after: Number((/^([\\d,]+)/.exec(status)?.[1] ?? "NaN").replaceAll(",", "")),
    last_rendered_row_index: Number(rows.at(-1)?.getAttribute("aria-rowindex") ?? NaN) - 2,
  };
}`;

const measureScroll = async (page: Page): Promise<ScrollResult> =>
  (await page.evaluate(`(${SCROLL_SCRIPT})(${JSON.stringify({ total: SCROLL_PX, step: SCROLL_STEP, row: ROW })})`)) as ScrollResult;

export const runUiLoadBenchmark = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-ui-"));
  try {
    const uiDir = process.env.CAIRN_WEB_UI_DIR ?? path.join(dir, "ui");
    if (!process.env.CAIRN_WEB_UI_DIR) await buildUi(uiDir);
    const populateStarted = performance.now();
    const experimentId = await populate(path.join(dir, "cairn.db"));
    const populateSeconds = (performance.now() - populateStarted) / 1000;

    const server = await startServer({
      host: "127.0.0.1",
      port: 0,
      backendStoreUri: `sqlite:///${dir}/cairn.db`,
      artifactsDestination: path.join(dir, "artifacts"),
      logLevel: "silent",
      webUiDir: uiDir,
    });
    const browser = await launchBrowser();
    try {
      const pageUrl = `/experiments/${experimentId}`;
      const newPage = async () => {
        const { page, context } = await browser.newPage(server.url);
        return { page, close: () => context.close() };
      };
      // One navigation first, not counted: SQLite's page cache and the server's code paths warm up, as on a server
      // that has been running. Each counted navigation is still cold for the browser.
      await measureNavigation(newPage, pageUrl);
      const navigations: FirstRows[] = [];
      for (let i = 0; i < NAVIGATIONS; i += 1) navigations.push(await measureNavigation(newPage, pageUrl));

      const searchTimes: number[] = [];
      for (let i = 0; i < NAVIGATIONS + 3; i += 1) {
        const started = performance.now();
        const response = await fetch(`${server.url}/ajax-api/2.0/mlflow/runs/search`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ experiment_ids: [experimentId], ...FIRST_PAGE_BODY }),
        });
        const body = (await response.json()) as { runs?: unknown[] };
        if (!response.ok || body.runs?.length !== FIRST_PAGE_BODY.max_results) throw new Error(`runs/search answered ${response.status}`);
        if (i >= 3) searchTimes.push(performance.now() - started);
      }

      const { page, close } = await newPage();
      let scroll: ScrollResult;
      try {
        await page.goto(pageUrl);
        await page.locator(ROW).first().waitFor();
        scroll = await measureScroll(page);
      } finally {
        await close();
      }

      const frames = sortedCopy(navigations.map((n) => n.rowsFrameMs));
      const inDom = sortedCopy(navigations.map((n) => n.rowsInDomMs));
      const searchInPage = sortedCopy(navigations.map((n) => n.searchRequestMs));
      const search = sortedCopy(searchTimes);
      const firstRowsP50 = percentile(frames, 50);
      return {
        // The load average says whether other work shared the cores while this ran (the timings are wall-clock).
        machine: { cpus: cpus().length, load_average_1m: round(loadavg()[0] ?? Number.NaN, 2), node: process.version, browser: browser.browser.version() },
        runs: RUNS,
        populate_s: round(populateSeconds),
        first_rows: {
          navigations: NAVIGATIONS,
          p50_ms: round(firstRowsP50),
          max_ms: round(frames.at(-1) ?? Number.NaN),
          rows_in_dom_p50_ms: round(percentile(inDom, 50)),
          runs_search_in_page_p50_ms: round(percentile(searchInPage, 50)),
          all_ms: navigations.map((n) => round(n.rowsFrameMs)),
          target: "< 1000 ms",
        },
        baseline_runs_search: { request: FIRST_PAGE_BODY, p50_ms: round(percentile(search, 50), 2) },
        ratio_first_rows_to_runs_search: round(firstRowsP50 / percentile(search, 50), 2),
        scroll: { step_px_per_frame: SCROLL_STEP, ...scroll },
      };
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
