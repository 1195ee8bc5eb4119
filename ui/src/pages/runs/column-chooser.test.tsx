import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { testRun } from "../compare/test-runs";
import { ColumnChooser } from "./column-chooser";
import { defaultColumns } from "./run-columns";

const KEYS = { metrics: ["acc", "loss"], params: ["lr"], tags: ["team"] };

describe("ColumnChooser", () => {
  it("checks the columns the URL names, listing a chosen key that no loaded run has", () => {
    renderWithApp(<ColumnChooser knownKeys={KEYS} />, "/experiments/1?col=metrics.loss&col=params.gone");
    const metrics = within(screen.getByRole("group", { name: "Metrics" }));
    expect(metrics.getByRole("checkbox", { name: "loss" })).toHaveProperty("checked", true);
    expect(metrics.getByRole("checkbox", { name: "acc" })).toHaveProperty("checked", false);
    const params = within(screen.getByRole("group", { name: "Params" }));
    expect(params.getAllByRole("checkbox").map((box) => box.parentElement?.textContent?.trim())).toEqual(["lr", "gone"]);
    expect(screen.getByText("Columns (2)")).toBeTruthy();
  });

  it("adds a chosen column to the URL after the others and removes an unchecked one", () => {
    const { location } = renderWithApp(<ColumnChooser knownKeys={KEYS} />, "/experiments/1?col=metrics.loss&sort=metrics.loss");
    fireEvent.click(within(screen.getByRole("group", { name: "Tags" })).getByRole("checkbox", { name: "team" }));
    expect(location.history.at(-1)).toBe("/experiments/1?sort=metrics.loss&col=metrics.loss&col=tags.team");
    fireEvent.click(within(screen.getByRole("group", { name: "Metrics" })).getByRole("checkbox", { name: "loss" }));
    expect(location.history.at(-1)).toBe("/experiments/1?sort=metrics.loss&col=tags.team");
  });

  it("narrows the listed keys to those containing the searched text", () => {
    renderWithApp(<ColumnChooser knownKeys={KEYS} />, "/experiments/1");
    fireEvent.change(screen.getByRole("searchbox", { name: "Find a key" }), { target: { value: "LO" } });
    expect(screen.getAllByRole("checkbox").map((box) => box.parentElement?.textContent?.trim())).toEqual(["loss"]);
  });

  it("without columns in the URL, checks the defaults and keeps them when another is added", () => {
    const defaults = [
      { entity: "metrics", key: "loss" },
      { entity: "params", key: "lr" },
    ] as const;
    const { location } = renderWithApp(<ColumnChooser knownKeys={KEYS} defaults={defaults} />, "/experiments/1");
    expect(within(screen.getByRole("group", { name: "Metrics" })).getByRole("checkbox", { name: "loss" })).toHaveProperty("checked", true);
    expect(within(screen.getByRole("group", { name: "Params" })).getByRole("checkbox", { name: "lr" })).toHaveProperty("checked", true);
    expect(screen.getByText("Columns (2)")).toBeTruthy();
    fireEvent.click(within(screen.getByRole("group", { name: "Metrics" })).getByRole("checkbox", { name: "acc" }));
    expect(location.history.at(-1)).toBe("/experiments/1?col=metrics.loss&col=params.lr&col=metrics.acc");
  });

  it("writes a bare col= when every column is unchecked, and Default columns goes back to the defaults", () => {
    const defaults = [{ entity: "metrics", key: "loss" }] as const;
    const { location } = renderWithApp(<ColumnChooser knownKeys={KEYS} defaults={defaults} />, "/experiments/1");
    fireEvent.click(within(screen.getByRole("group", { name: "Metrics" })).getByRole("checkbox", { name: "loss" }));
    expect(location.history.at(-1)).toBe("/experiments/1?col=");
    expect(within(screen.getByRole("group", { name: "Metrics" })).getByRole("checkbox", { name: "loss" })).toHaveProperty("checked", false);
    expect(screen.getByText("Columns", { exact: true })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Default columns" }));
    expect(location.history.at(-1)).toBe("/experiments/1");
    expect(within(screen.getByRole("group", { name: "Metrics" })).getByRole("checkbox", { name: "loss" })).toHaveProperty("checked", true);
  });
});

describe("defaultColumns", () => {
  it("takes the metric and param keys most runs of the first page carry, ties by name, a bounded number of each", () => {
    const runs = [
      testRun("a", { lr: "0.1", depth: "3", seed: "1" }, { acc: 0.9, loss: 0.1, f1: 0.5 }),
      testRun("b", { lr: "0.2", depth: "4" }, { acc: 0.8, loss: 0.2 }),
      testRun("c", { lr: "0.3" }, { acc: 0.7, auc: 0.6 }),
    ];
    expect(defaultColumns(runs, 2)).toEqual([
      { entity: "metrics", key: "acc" },
      { entity: "metrics", key: "loss" },
      { entity: "params", key: "lr" },
      { entity: "params", key: "depth" },
    ]);
    expect(defaultColumns(runs).map((column) => column.key)).toEqual(["acc", "loss", "auc", "f1", "lr", "depth", "seed"]);
    expect(defaultColumns([])).toEqual([]);
  });
});
