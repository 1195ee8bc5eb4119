import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { AliasEditor } from "./alias-editor";

const REFUSAL =
  "Promotion of model 'churn' version 1 to alias:champion refused: required tag validation = passed is missing; 1 approval needed, 0 given.";

describe("AliasEditor", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("posts the alias and version, and shows the server's refusal in its own words", async () => {
    const calls: { method: string; url: string; body: unknown }[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      calls.push({ method: init.method ?? "GET", url, body: JSON.parse(String(init.body)) });
      return new Response(JSON.stringify({ error_code: "INVALID_PARAMETER_VALUE", message: REFUSAL }), { status: 400 });
    });
    renderWithApp(<AliasEditor name="churn" aliases={[{ alias: "champion", version: "2" }]} versions={["2", "1"]} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Alias"), "champion");
    await user.type(screen.getByLabelText("Version"), "1");
    await user.click(screen.getByRole("button", { name: "Set alias" }));
    expect((await screen.findByRole("alert")).textContent).toBe(`Could not point alias champion to version 1: ${REFUSAL}`);
    expect(calls).toEqual([{ method: "POST", url: "/ajax-api/2.0/mlflow/registered-models/alias", body: { name: "churn", alias: "champion", version: "1" } }]);
  });

  it("deletes an alias only after a confirmation, then says so", async () => {
    const calls: { method: string; body: unknown }[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      calls.push({ method: init.method ?? "GET", body: JSON.parse(String(init.body)) });
      return new Response("{}", { status: 200 });
    });
    renderWithApp(<AliasEditor name="churn" aliases={[{ alias: "champion", version: "2" }]} versions={["2", "1"]} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Delete alias champion" }));
    expect(calls).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Confirm: delete champion" }));
    expect((await screen.findByText("Alias champion deleted.")).getAttribute("role")).toBe("status");
    expect(calls).toEqual([{ method: "DELETE", body: { name: "churn", alias: "champion" } }]);
  });
});
