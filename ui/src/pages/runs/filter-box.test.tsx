import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { FilterBox } from "./filter-box";

const KEYS = { metrics: ["acc", "loss"], params: ["learning rate", "lr"], tags: [] };

const setup = (applied = ""): { input: HTMLInputElement; onApply: ReturnType<typeof vi.fn> } => {
  const onApply = vi.fn();
  render(<FilterBox applied={applied} knownKeys={KEYS} onApply={onApply} />);
  return { input: screen.getByRole("combobox", { name: "Filter runs" }), onApply };
};

const optionTexts = (): string[] => screen.queryAllByRole("option").map((option) => option.textContent ?? "");

describe("FilterBox", () => {
  it("offers keys while a key is typed and accepts the highlighted one with Enter", async () => {
    const user = userEvent.setup();
    const { input, onApply } = setup();
    await user.type(input, "metrics.");
    expect(optionTexts()).toEqual(["metrics.acc", "metrics.loss"]);
    expect(input.getAttribute("aria-expanded")).toBe("true");
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("option", { selected: true }).textContent).toBe("metrics.loss");
    expect(input.getAttribute("aria-activedescendant")).toBe(screen.getByRole("option", { selected: true }).id);
    await user.keyboard("{Enter}");
    expect(input.value).toBe("metrics.loss");
    expect(optionTexts()).toEqual([]);
    expect(onApply).not.toHaveBeenCalled();
    await user.type(input, " < 0.5{Enter}");
    expect(onApply).toHaveBeenCalledWith("metrics.loss < 0.5");
  });

  it("accepts with Tab, quoting a key with a space, and closes with Escape", async () => {
    const user = userEvent.setup();
    const { input } = setup();
    await user.type(input, "params.le");
    expect(optionTexts()).toEqual(["params.`learning rate`"]);
    await user.keyboard("{Tab}");
    expect(input.value).toBe("params.`learning rate`");
    expect(document.activeElement).toBe(input);
    await user.type(input, " = '1' and m");
    expect(optionTexts()).toEqual(["metrics.acc", "metrics.loss"]);
    await user.keyboard("{Escape}");
    expect(optionTexts()).toEqual([]);
    expect(input.getAttribute("aria-expanded")).toBe("false");
  });

  it("accepts an option clicked with the mouse", async () => {
    const user = userEvent.setup();
    const { input } = setup();
    await user.type(input, "lo");
    fireEvent.mouseDown(screen.getByRole("option", { name: "metrics.loss" }));
    expect(input.value).toBe("metrics.loss");
  });

  it("starts from the applied filter and clears it", async () => {
    const user = userEvent.setup();
    const { input, onApply } = setup("metrics.acc > 0.9");
    expect(input.value).toBe("metrics.acc > 0.9");
    await user.click(screen.getByRole("button", { name: "Clear filter" }));
    expect(onApply).toHaveBeenCalledWith("");
  });
});
