import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { ColumnChooser } from "./column-chooser";

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
});
