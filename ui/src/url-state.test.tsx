import { act, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "./test-support/render";
import { useQueryList, useQueryParam } from "./url-state";

const Probe = (): ReactNode => {
  const [filter, setFilter] = useQueryParam("filter");
  const [cols, setCols] = useQueryList("cols");
  return (
    <div>
      <output aria-label="filter">{filter}</output>
      <output aria-label="cols">{cols.join("|")}</output>
      <button onClick={() => setFilter("metrics.acc > 0.9")}>set filter</button>
      <button onClick={() => setCols(["metrics.a,b", "params.lr"])}>set cols</button>
    </div>
  );
};

describe("URL state", () => {
  it("reads parameters from the URL and writes them back, keeping the others", () => {
    const { location } = renderWithApp(<Probe />, "/experiments/1?filter=x&view=table");
    expect(screen.getByLabelText("filter").textContent).toBe("x");
    act(() => screen.getByText("set filter").click());
    expect(location.history.at(-1)).toBe("/experiments/1?filter=metrics.acc+%3E+0.9&view=table");
    act(() => screen.getByText("set cols").click());
    expect(screen.getByLabelText("cols").textContent).toBe("metrics.a,b|params.lr");
    expect(screen.getByLabelText("filter").textContent).toBe("metrics.acc > 0.9");
  });
});
