import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { CAIRN, stubApi } from "../deployments/stub-api";
import AuditPage from "./audit-page";
import { entityHref } from "./entity-link";

const event = (seq: number, action: string, entityType: string, entityId: string, actor = "ada") => ({
  seq,
  time: 1_700_000_000_000 + seq * 1000,
  actor: { name: actor, verified: false },
  action,
  entity_type: entityType,
  entity_id: entityId,
  before: null,
  after: { alias: "champion", version: "3" },
  request_id: `req-${seq}`,
  prev_hash: "",
  hash: "",
});

afterEach(() => vi.unstubAllGlobals());

describe("AuditPage", () => {
  it("lists the whole trail newest first, filters by entity, action and actor in the URL, and pages with the server's tokens", async () => {
    const calls = stubApi({
      [`GET ${CAIRN}/audit/events`]: (url) =>
        url.searchParams.get("page_token") === "t2"
          ? { body: { events: [event(1, "model.create", "registered_model", "churn")] } }
          : { body: { events: [event(3, "alias.set", "registered_model", "churn"), event(2, "version.create", "model_version", "churn/3", "ben")], next_page_token: "t2" } },
    });
    const { location } = renderWithApp(<AuditPage />, "/audit");
    const table = await screen.findByRole("table", { name: "Audit events" });
    const rows = within(table).getAllByRole("row").slice(1).map((row) => Array.from(row.children).map((cell) => cell.textContent));
    expect(rows.map((cells) => [cells[0], cells[2], cells[3], cells[4]])).toEqual([
      ["3", "ada (unverified)", "alias.set", "registered_model churn"],
      ["2", "ben (unverified)", "version.create", "model_version churn/3"],
    ]);
    expect(within(table).getByRole("link", { name: "churn/3" }).getAttribute("href")).toBe("/models/churn/versions/3");
    expect(calls[0]?.query.get("order")).toBe("desc");
    expect(calls[0]?.query.get("max_results")).toBe("50");

    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(location.history.at(-1)).toBe("/audit?page=t2");
    await screen.findByText("model.create");

    fireEvent.change(screen.getByRole("combobox", { name: "Entity type" }), { target: { value: " model_version " } });
    fireEvent.change(screen.getByRole("searchbox", { name: "Actor" }), { target: { value: "ben" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    // A new filter starts again at the first page.
    expect(location.history.at(-1)).toBe("/audit?type=model_version&actor=ben");
    await vi.waitFor(() => expect(calls.at(-1)?.query.toString()).toBe("entity_type=model_version&actor=ben&order=desc&max_results=50"));
  });

  it("says when nothing matches", async () => {
    stubApi({ [`GET ${CAIRN}/audit/events`]: () => ({ body: {} }) });
    renderWithApp(<AuditPage />, "/audit?action=nothing.like.this");
    expect(await screen.findByText("No events match these filters.")).toBeTruthy();
    expect(screen.getByRole("searchbox", { name: "Action" })).toHaveProperty("value", "nothing.like.this");
  });
});

describe("entityHref", () => {
  it("links the entities that have a page, every part encoded", () => {
    expect(entityHref("model_version", "team/churn/12")).toBe("/models/team%2Fchurn/versions/12");
    expect(entityHref("deployment", "a b")).toBe("/deployments/a%20b");
    expect(entityHref("webhook", "wh-1")).toBe("/webhooks?webhook=wh-1");
    expect(entityHref("run", "abc")).toBeUndefined();
    expect(entityHref("model_version", "noslash")).toBeUndefined();
  });
});
