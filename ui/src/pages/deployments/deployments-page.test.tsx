import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { churn, fraud } from "./deployment-fixtures";
import DeploymentsPage from "./deployments-page";
import { CAIRN, stubApi } from "./stub-api";

const cellsOf = (row: HTMLElement): string[] => within(row).getAllByRole("cell").map((cell) => cell.textContent ?? "");

afterEach(() => vi.unstubAllGlobals());

describe("DeploymentsPage", () => {
  it("lists each deployment with its model, versions, split, shadow and status", async () => {
    stubApi({ [`GET ${CAIRN}/deployments/list`]: () => ({ body: { deployments: [churn, fraud] } }) });
    renderWithApp(<DeploymentsPage />, "/deployments");
    await screen.findByRole("link", { name: "churn" });
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows.map(cellsOf).map((cells) => cells.slice(0, 6))).toEqual([
      ["churn", "models:/churn@champion", "v1, v2, v3", "v1 80% · v2 20% canary", "mirrors 50% to v3", "ready"],
      ["fraud", "models:/fraud/4", "none", "v4 100%", "—", "last change failed"],
    ]);
    expect(screen.getByRole("link", { name: "churn" }).getAttribute("href")).toBe("/deployments/churn");
  });

  it("filters by name or model from the URL", async () => {
    stubApi({ [`GET ${CAIRN}/deployments/list`]: () => ({ body: { deployments: [churn, fraud] } }) });
    const { location } = renderWithApp(<DeploymentsPage />, "/deployments?q=FRAUD");
    await screen.findByRole("link", { name: "fraud" });
    expect(screen.queryByRole("link", { name: "churn" })).toBeNull();
    expect(screen.getByText("1 of 2")).toBeTruthy();
    const user = userEvent.setup();
    await user.clear(screen.getByLabelText("Filter deployments"));
    expect(location.history.at(-1)).toBe("/deployments");
    await user.type(screen.getByLabelText("Filter deployments"), "champion");
    expect(location.history.at(-1)).toBe("/deployments?q=champion");
    expect(screen.getByRole("link", { name: "churn" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "fraud" })).toBeNull();
  });

  it("says how to create a deployment when there is none", async () => {
    stubApi({ [`GET ${CAIRN}/deployments/list`]: () => ({ body: {} }) });
    renderWithApp(<DeploymentsPage />, "/deployments");
    expect((await screen.findByText("cairn deployments create churn models:/churn@champion")).tagName).toBe("PRE");
  });

  it("shows the server's error in plain words", async () => {
    stubApi({ [`GET ${CAIRN}/deployments/list`]: () => ({ status: 500, body: { error_code: "INTERNAL_ERROR", message: "database is locked" } }) });
    renderWithApp(<DeploymentsPage />, "/deployments");
    expect((await screen.findByRole("alert")).textContent).toBe("Could not load the deployments. database is locked");
  });
});
