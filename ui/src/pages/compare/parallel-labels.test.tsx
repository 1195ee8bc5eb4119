import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { ParallelCoordinates } from "./parallel-coordinates";
import { testRun } from "./test-runs";

// Widths the labels take at the plot's own scale: 13 px monospace titles (0.6 em a character), 11 px sans-serif
// ticks (at most about 0.6 em a character for digits and lower case). Measured here independently of the layout code.
const TITLE_CHAR_PX = 7.8;
const TICK_CHAR_PX = 6.6;

const KEYS = ["validation_loss_weighted", "validation_accuracy_top5", "training_time_seconds", "f1_macro_average", "precision_at_k_100", "recall_at_k_100", "learning_rate_schedule", "optimizer_name"];
const runs = Array.from({ length: 30 }, (_, i) =>
  testRun(
    `run-${i}`,
    { learning_rate_schedule: `cosine-with-warmup-${i}`, optimizer_name: `adamw-beta2-0.${990 + i}` },
    Object.fromEntries(KEYS.slice(0, 6).map((key, k) => [key, 1000 * (k + 1) + i * 0.123456])),
  ),
);

const texts = (className: string): { x: number; y: number; text: string; axis: number }[] =>
  Array.from(document.querySelectorAll(`svg.parallel-plot text.${className}`)).map((node) => ({
    x: Number(node.getAttribute("x")),
    y: Number(node.getAttribute("y")),
    // The drawn text only, not the <title> tooltip that carries the full name.
    text: Array.from(node.childNodes).filter((child) => child.nodeType === 3).map((child) => child.textContent).join(""),
    axis: Array.from(document.querySelectorAll("svg.parallel-plot g.pc-axis")).indexOf(node.closest("g.pc-axis") as Element),
  }));

describe("parallel coordinates labels", () => {
  it("do not overlap: titles fit between their neighbours, ticks between two axes, ticks on an axis apart", () => {
    const query = KEYS.map((key, k) => `pc=${k < 6 ? "metrics" : "params"}.${key}`).join("&");
    renderWithApp(<ParallelCoordinates runs={runs} />, `/compare?${query}`);
    expect(screen.getByRole("img").getAttribute("aria-label")).toContain("validation_loss_weighted");

    const titles = texts("pc-axis-title");
    expect(titles).toHaveLength(8);
    // Titles are centred on their axes: of two neighbours in the same row, half of each must fit between their axes.
    for (const y of new Set(titles.map((title) => title.y))) {
      const row = titles.filter((title) => title.y === y);
      for (let i = 1; i < row.length; i += 1) {
        const [left, right] = [row[i - 1], row[i]];
        if (!left || !right) throw new Error("missing title");
        expect((left.text.length + right.text.length) * TITLE_CHAR_PX * 0.5).toBeLessThanOrEqual(right.x - left.x);
      }
    }
    // Rows are a line apart, and no title leaves the drawing.
    const rows = [...new Set(titles.map((title) => title.y))].sort((a, b) => a - b);
    for (let i = 1; i < rows.length; i += 1) expect((rows[i] ?? 0) - (rows[i - 1] ?? 0)).toBeGreaterThanOrEqual(14);
    const width = Number(document.querySelector("svg.parallel-plot")?.getAttribute("viewBox")?.split(" ")[2]);
    for (const title of titles) {
      expect(title.x - (title.text.length * TITLE_CHAR_PX) / 2).toBeGreaterThanOrEqual(0);
      expect(title.x + (title.text.length * TITLE_CHAR_PX) / 2).toBeLessThanOrEqual(width);
    }
    // Every title names its axis: whole, or cut with an ellipsis (the full name is its tooltip and in the table).
    titles.forEach((title, k) => expect(KEYS[k]?.startsWith(title.text.replace(/…$/, ""))).toBe(true));

    const axisX = titles.map((title) => title.x);
    const ticks = texts("pc-tick");
    expect(ticks.length).toBeGreaterThan(0);
    for (const tick of ticks) {
      // Right-aligned at the tick's x, left of its axis: it must end before the previous axis (or the plot's edge).
      const leftEdge = tick.x - tick.text.length * TICK_CHAR_PX;
      expect(leftEdge).toBeGreaterThanOrEqual(tick.axis === 0 ? 0 : (axisX[tick.axis - 1] ?? 0) + 2);
    }
    for (let axis = 0; axis < 8; axis += 1) {
      const ys = ticks.filter((tick) => tick.axis === axis).map((tick) => tick.y).sort((a, b) => a - b);
      for (let i = 1; i < ys.length; i += 1) expect((ys[i] ?? 0) - (ys[i - 1] ?? 0)).toBeGreaterThanOrEqual(12);
    }
  });
});
