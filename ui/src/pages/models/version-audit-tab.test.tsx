import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setAuthState } from "../../auth/session";
import { formatTime } from "../../format";
import { renderWithApp } from "../../test-support/render";
import type { AliasChange, AuditEventMessage } from "./registry-wire";
import { aliasActionOf, aliasMovesOf, VersionAuditTab } from "./version-audit-tab";

const T0 = 1_700_000_000_000;

const event = (seq: number, action: string, after: unknown): AuditEventMessage => ({
  seq,
  time: T0 + seq,
  actor: { name: "ada", verified: false },
  action,
  entity_type: "model_version",
  entity_id: "churn/2",
  before: null,
  after,
  request_id: `req-${seq}`,
  prev_hash: "p",
  hash: "h",
});

const change = (alias: string, from: string | null, to: string | null, seq: number): AliasChange => ({
  alias,
  from_version: from,
  to_version: to,
  actor: { name: "ada", verified: false },
  time: T0 + seq,
  request_id: `req-${seq}`,
});

const HISTORY = [change("champion", null, "1", 10), change("champion", "1", "2", 11), change("staging", null, "3", 12), change("champion", "2", null, 13)];

const rowTexts = (tableName: string): string[] =>
  within(screen.getByRole("table", { name: tableName }))
    .getAllByRole("row")
    .slice(1)
    .map((row) => row.textContent ?? "");

describe("aliasMovesOf and aliasActionOf", () => {
  it("keeps the changes that moved an alias onto or off the version, and names each by its audit action", () => {
    expect(aliasMovesOf(HISTORY, "2")).toEqual([HISTORY[1], HISTORY[3]]);
    expect(aliasMovesOf(HISTORY, "4")).toEqual([]);
    expect(HISTORY.map(aliasActionOf)).toEqual(["registry.alias.set", "registry.alias.set", "registry.alias.set", "registry.alias.delete"]);
  });
});

describe("VersionAuditTab", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setAuthState({ kind: "unknown" });
  });

  it("pages through the version's own events (entity model_version/<name>/<version>) and lists its alias moves", async () => {
    const requested: string[] = [];
    vi.stubGlobal("fetch", async (input: string) => {
      const url = new URL(input, "http://cairn.test");
      requested.push(`${url.pathname}${url.search}`);
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
      if (url.pathname.endsWith("audit/events")) {
        return url.searchParams.get("page_token") === "next"
          ? json({ events: [event(3, "governance.approval.create", { target: "alias:production", actor: "bob" })] })
          : json({ events: [event(1, "registry.model_version.create", { name: "churn", version: "2" }), event(2, "governance.model_card.set", null)], next_page_token: "next" });
      }
      if (url.pathname.endsWith("alias-history")) return json({ changes: HISTORY });
      return new Response(JSON.stringify({ error_code: "ENDPOINT_NOT_FOUND", message: "no" }), { status: 404 });
    });
    renderWithApp(<VersionAuditTab name="churn" version="2" />, "/models/churn/versions/2?tab=audit");
    await screen.findByRole("table", { name: "Audit events" });
    expect(rowTexts("Audit events")).toEqual([
      `1${formatTime(T0 + 1)}ada (unverified)registry.model_version.create—{"name":"churn","version":"2"}`,
      `2${formatTime(T0 + 2)}ada (unverified)governance.model_card.set——`,
    ]);
    await userEvent.setup().click(screen.getByRole("button", { name: "Load more events" }));
    await screen.findByText("governance.approval.create");
    expect(rowTexts("Audit events").map((row) => row.split("ada (unverified)")[1])).toEqual([
      'registry.model_version.create—{"name":"churn","version":"2"}',
      "governance.model_card.set——",
      'governance.approval.create—{"target":"alias:production","actor":"bob"}',
    ]);
    expect(screen.queryByRole("button", { name: "Load more events" })).toBeNull();
    expect(requested.filter((path) => path.includes("audit/events"))).toEqual([
      "/ajax-api/2.0/cairn/audit/events?entity_type=model_version&entity_id=churn%2F2&max_results=100",
      "/ajax-api/2.0/cairn/audit/events?entity_type=model_version&entity_id=churn%2F2&max_results=100&page_token=next",
    ]);

    expect(rowTexts("Alias moves")).toEqual([
      `${formatTime(T0 + 11)}ada (unverified)registry.alias.set@championVersion 1Version 2 (this one)`,
      `${formatTime(T0 + 13)}ada (unverified)registry.alias.delete@championVersion 2 (this one)(removed)`,
    ]);
    expect(screen.getByRole("link", { name: "Version 1" }).getAttribute("href")).toBe("/models/churn/versions/1");
    expect(screen.getByRole("link", { name: "the model's audit trail" }).getAttribute("href")).toBe("/models/churn?tab=audit");
  });

  it("says plainly when no event and no alias concern the version", async () => {
    vi.stubGlobal("fetch", async (input: string) =>
      new Response(JSON.stringify(String(input).includes("alias-history") ? { changes: HISTORY } : { events: [] }), { status: 200 }),
    );
    renderWithApp(<VersionAuditTab name="churn" version="4" />);
    expect((await screen.findByText("No audit events for this version.")).textContent).toBe("No audit events for this version.");
    expect((await screen.findByText("No alias has pointed to this version.")).textContent).toBe("No alias has pointed to this version.");
  });

  it("with sign-in on, asks for the audit trail only for an administrator (the server refuses it to others)", async () => {
    const requested: string[] = [];
    vi.stubGlobal("fetch", async (input: string) => {
      requested.push(new URL(input, "http://cairn.test").pathname);
      return new Response(JSON.stringify(String(input).includes("alias-history") ? { changes: HISTORY } : { events: [] }), { status: 200 });
    });
    setAuthState({ kind: "on", user: { username: "ada", isAdmin: false } });
    renderWithApp(<VersionAuditTab name="churn" version="2" />);
    const note = "With sign-in on, the audit trail is shown to administrators only.";
    expect((await screen.findByText(note)).textContent).toBe(note);
    await screen.findByRole("table", { name: "Alias moves" });
    expect(requested.filter((path) => path.endsWith("audit/events"))).toEqual([]);
  });
});
