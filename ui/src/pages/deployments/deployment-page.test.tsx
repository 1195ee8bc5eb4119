import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatTime } from "../../format";
import { renderWithApp } from "../../test-support/render";
import DeploymentPage from "./deployment-page";
import type { DeploymentWire, HistoryEntryWire, ShadowReportWire } from "./deployment-wire";
import { churn } from "./deployment-fixtures";
import { CAIRN, stubApi, type StubHandler } from "./stub-api";

const history: HistoryEntryWire[] = [
  { time: 1_700_000_000_000, role: "primary", from_version: null, to_version: "1", reason: "create", actor: "ana", request_id: "r1" },
  { time: 1_700_000_050_000, role: "canary", from_version: null, to_version: "2", reason: "canary", actor: "ben", request_id: "r2" },
];

const report: ShadowReportWire = {
  deployment: "churn",
  primary_version: "1",
  candidate_version: "3",
  share: 0.5,
  since: 1_700_000_060_000,
  mirrored: 4,
  compared: 4,
  primary_errors: 0,
  candidate_errors: 0,
  class_compared: 4,
  same_class: 4,
  agreement_rate: 1,
  abs_diff: { mean: 0.01, max: 0.02 },
  rel_diff: { mean: 0.05, max: 0.1 },
  latency: { primary: { count: 4, p50_ms: 0.5, p99_ms: 0.9 }, candidate: { count: 4, p50_ms: 0.6, p99_ms: 1 } },
};

const promoted: DeploymentWire = { ...churn, primary_version: "2", serving_versions: ["2"], last_updated_timestamp: 1_700_000_300_000 };
delete promoted.canary;
delete promoted.shadow;

const api = (overrides: Record<string, StubHandler> = {}) =>
  stubApi({
    [`GET ${CAIRN}/deployments/get`]: () => ({ body: { deployment: churn } }),
    [`GET ${CAIRN}/deployments/history`]: () => ({ body: { history } }),
    [`GET ${CAIRN}/deployments/shadow-report`]: () => ({ body: { report, live: true } }),
    [`GET ${CAIRN}/deployments/shadow-reports`]: () => ({ body: { reports: [{ ...report, updated_timestamp: 1_700_000_090_000 }] } }),
    [`GET ${CAIRN}/serving/predictions`]: () => ({
      body: { predictions: [{ request_id: "req-1", deployment: "churn", version: "2", time: 1_700_000_070_000, latency_ms: 0.73, inputs: {}, outputs: {}, label: 1 }] },
    }),
    ...overrides,
  });

const rowsOf = (region: HTMLElement): string[][] =>
  within(region)
    .getAllByRole("row")
    .slice(1)
    .map((row) => within(row).getAllByRole("cell").map((cell) => cell.textContent ?? ""));

afterEach(() => vi.unstubAllGlobals());

describe("DeploymentPage", () => {
  it("draws the split, the shadow, the report, the history and the latest predictions", async () => {
    const calls = api();
    renderWithApp(<DeploymentPage name="churn" />, "/deployments/churn?preds=15m");
    const traffic = await screen.findByRole("region", { name: "Traffic split" });
    expect(within(traffic).getByRole("img", { name: "Answered traffic: version 1 primary 80%, version 2 canary 20%" })).toBeTruthy();
    expect(rowsOf(traffic).map((cells) => cells.slice(0, 3))).toEqual([
      ["Version 1", "primary", "80%"],
      ["Version 2", "canary", "20%"],
      ["Version 3", "shadow", "50% mirrored"],
    ]);
    const shadow = await screen.findByRole("region", { name: "Shadow comparison: v3 against v1" });
    expect(await within(shadow).findByText("100% (4 of 4 requests with the same class)")).toBeTruthy();
    const saved = await screen.findByRole("region", { name: "Shadow comparisons" });
    expect(rowsOf(saved).map((cells) => [cells[0], ...cells.slice(3)])).toEqual([["v3 against v1", "4", "100%", "0.01", "0.5 ms / 0.6 ms", "0 / 0"]]);
    const historyRegion = screen.getByRole("region", { name: "History" });
    await within(historyRegion).findByText("ben");
    expect(rowsOf(historyRegion).map((cells) => cells.slice(1))).toEqual([
      ["canary", "none → v2", "canary", "ben", "r2"],
      ["primary", "none → v1", "create", "ana", "r1"],
    ]);
    const predictions = screen.getByRole("region", { name: "Recent predictions" });
    await within(predictions).findByText("req-1");
    expect(rowsOf(predictions).map((cells) => cells.slice(1))).toEqual([["req-1", "v2", "0.73 ms", "—", "1"]]);
    const read = calls.find((c) => c.path === `${CAIRN}/serving/predictions`);
    expect(read?.query.get("deployment")).toBe("churn");
    expect(Number(read?.query.get("since"))).toBeGreaterThan(Date.now() - 15 * 60_000 - 5_000);
    expect(within(screen.getByRole("region", { name: "Endpoints" })).getAllByRole("code").map((c) => c.textContent)).toEqual([
      `POST ${window.location.origin}/deployments/churn/invocations`,
      `POST ${window.location.origin}/v2/models/churn/infer`,
    ]);
  });

  it("says how many servers a combined shadow report adds up and when the oldest part was saved", async () => {
    api({
      [`GET ${CAIRN}/deployments/shadow-report`]: () => ({
        body: {
          report,
          live: true,
          updated_timestamp: 1_700_000_090_000,
          replicas: 3,
          parts: [
            { replica: "a:1:aa", released: false },
            { replica: "b:2:bb", updated_timestamp: 1_700_000_090_000, released: false },
            { replica: "c:3:cc", updated_timestamp: 1_700_000_080_000, released: true },
          ],
        },
      }),
    });
    renderWithApp(<DeploymentPage name="churn" />, "/deployments/churn");
    const shadow = await screen.findByRole("region", { name: "Shadow comparison: v3 against v1" });
    const note = await within(shadow).findByText(/^Combined from 3 server processes; the oldest part was saved at /);
    expect(note.textContent).toContain(formatTime(1_700_000_080_000));
  });

  it("promotes after a confirmation and shows the new state", async () => {
    const calls = api({ [`POST ${CAIRN}/deployments/promote`]: () => ({ body: { deployment: promoted } }) });
    renderWithApp(<DeploymentPage name="churn" />, "/deployments/churn");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Promote" }));
    const dialog = screen.getByRole("alertdialog");
    expect(dialog.textContent).toContain(
      "Make version 2 the primary? It takes all traffic from version 1, and the canary (v2) and the shadow (v3) end. The alias @champion moves to version 2 if its promotion rules allow it.",
    );
    expect(calls.some((c) => c.method === "POST")).toBe(false);
    await user.click(within(dialog).getByRole("button", { name: "Promote now" }));
    expect((await screen.findByText("Version 2 is now the primary.")).getAttribute("role")).toBe("status");
    expect(calls.filter((c) => c.method === "POST").map((c) => [c.path, c.body])).toEqual([[`${CAIRN}/deployments/promote`, { name: "churn" }]]);
    const traffic = screen.getByRole("region", { name: "Traffic split" });
    expect(rowsOf(traffic).map((cells) => cells.slice(0, 3))).toEqual([["Version 2", "primary", "100%"]]);
    expect(screen.queryByRole("region", { name: /^Shadow comparison:/ })).toBeNull();
    expect(screen.getByRole("region", { name: "Shadow comparisons" })).toBeTruthy();
  });

  it("backs out of a rollback with Escape and shows a refused one in plain words", async () => {
    const calls = api({
      [`GET ${CAIRN}/deployments/get`]: () => ({ body: { deployment: promoted } }),
      [`POST ${CAIRN}/deployments/rollback`]: () => ({
        status: 400,
        body: { error_code: "INVALID_STATE", message: "Deployment 'churn' has no previous primary version to roll back to (it has served only version 2)." },
      }),
    });
    renderWithApp(<DeploymentPage name="churn" />, "/deployments/churn");
    const user = userEvent.setup();
    expect((await screen.findByRole("button", { name: "Promote" })).hasAttribute("disabled")).toBe(true);
    await user.click(screen.getByRole("button", { name: "Roll back" }));
    expect(screen.getByRole("alertdialog").textContent).toContain(
      "Return to the previous primary version? Version 2 stops serving. The alias @champion moves back, through its promotion rules.",
    );
    expect(document.activeElement?.textContent).toBe("Roll back now");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(document.activeElement?.textContent).toBe("Roll back");
    await user.click(screen.getByRole("button", { name: "Roll back" }));
    await user.click(screen.getByRole("button", { name: "Roll back now" }));
    const alert = await screen.findByText(/no previous primary version/);
    expect(alert.closest("[role=alert]")?.textContent).toBe(
      "Rollback failed. Deployment 'churn' has no previous primary version to roll back to (it has served only version 2).",
    );
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(1);
    // No shadow, no report read (the server would answer it with an error).
    expect(calls.some((c) => c.path.endsWith("shadow-report"))).toBe(false);
  });

  it("shows a promote refused by the alias's promotion rule in the rule's own words, and nothing changes", async () => {
    const refusal = "Promotion of model 'churn' version 2 to alias:champion refused: 1 approval needed, 0 given.";
    const calls = api({ [`POST ${CAIRN}/deployments/promote`]: () => ({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: refusal } }) });
    renderWithApp(<DeploymentPage name="churn" />, "/deployments/churn");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Promote" }));
    await user.click(screen.getByRole("button", { name: "Promote now" }));
    const alert = await screen.findByText(/1 approval needed/);
    expect(alert.closest("[role=alert]")?.textContent).toBe(`Promote failed. ${refusal}`);
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(1);
    expect(screen.queryByText("Version 2 is now the primary.")).toBeNull();
  });

  it("says in a banner when the deployment serves another version than its alias names", async () => {
    const reason = "models:/churn@champion names version 2 but version 1 serves. Last error: disk full";
    api({ [`GET ${CAIRN}/deployments/get`]: () => ({ body: { deployment: { ...churn, state: "degraded", degraded_reason: reason, alias_version: "2" } } }) });
    renderWithApp(<DeploymentPage name="churn" />, "/deployments/churn");
    const banner = await screen.findByText(/this deployment does not serve what it should/);
    expect(banner.closest("[role=alert]")?.textContent).toBe(
      `Degraded: this deployment does not serve what it should. ${reason} The server retries the load on its next sync.`,
    );
    expect(screen.getAllByText("degraded").map((badge) => badge.className)).toEqual(["badge danger"]);
  });

  it("shows no banner while the deployment serves what its alias names", async () => {
    api({ [`GET ${CAIRN}/deployments/get`]: () => ({ body: { deployment: { ...churn, state: "serving", alias_version: "1" } } }) });
    renderWithApp(<DeploymentPage name="churn" />, "/deployments/churn");
    await screen.findByRole("region", { name: "Traffic split" });
    expect(screen.queryByText(/does not serve what it should/)).toBeNull();
  });

  it("says a missing deployment is missing", async () => {
    api({ [`GET ${CAIRN}/deployments/get`]: () => ({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Deployment 'nope' does not exist." } }) });
    renderWithApp(<DeploymentPage name="nope" />, "/deployments/nope");
    expect((await screen.findByRole("alert")).textContent).toBe("Could not load deployment nope. Deployment 'nope' does not exist.");
  });
});
