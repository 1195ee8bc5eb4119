import { act, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { DiffTable } from "./diff-table";
import { testRun } from "./test-runs";

const runs = [testRun("a", { lr: "0.01", epochs: "10" }, { loss: 0.5 }), testRun("b", { lr: "0.1", epochs: "10" }, { loss: 0.5 })];

const rowTexts = (): string[][] =>
  Array.from(screen.getByRole("table").querySelectorAll("tbody tr")).map((row) =>
    Array.from(row.children).map((cell) => `${cell.textContent}${cell.classList.contains("differs") ? "*" : ""}`),
  );

describe("DiffTable", () => {
  it("highlights exactly the cells of rows whose values differ, and can show only those rows", () => {
    const { location } = renderWithApp(<DiffTable runs={runs} />, "/compare?run=a&run=b");
    expect(rowTexts()).toEqual([
      ["Params (2)"],
      ["epochs", "10", "10"],
      ["lr (differs)", "0.01*", "0.1*"],
      ["Metrics (1)"],
      ["loss", "0.5", "0.5"],
    ]);
    expect(screen.getByText("1 of 3 rows differ.")).toBeTruthy();
    act(() => screen.getByLabelText("Only differences").click());
    expect(location.history.at(-1)).toBe("/compare?run=a&run=b&diffs=1");
    expect(rowTexts()).toEqual([["Params (1)"], ["lr (differs)", "0.01*", "0.1*"]]);
  });
});
