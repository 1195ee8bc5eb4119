import { describe, expect, it } from "vitest";
import { collect } from "./paging.js";
import { useRecordingClient } from "./test-support/recording-client.js";

const { clientFor, urls } = useRecordingClient();

const event = (seq: number) => ({
  seq,
  time: 1000 + seq,
  actor: { name: "ada", verified: false },
  action: "registry.alias.set",
  entity_type: "registered_model",
  entity_id: "churn",
  before: null,
  after: { alias: "champion", version: "3" },
  request_id: `req-${seq}`,
  prev_hash: "0".repeat(64),
  hash: "f".repeat(64),
});

describe("AuditApi requests", () => {
  it("lists events with every filter, across pages", async () => {
    const client = await clientFor((request) =>
      request.url.includes("page_token=2") ? { status: 200, body: { events: [event(2)] } } : { status: 200, body: { events: [event(1)], next_page_token: "2" } },
    );
    const events = await collect(
      client.audit.listEventsAll({ entityType: "registered_model", entityId: "churn", actor: "ada", action: "registry.*", startTime: 10, endTime: 20, maxResults: 1 }),
    );
    expect(events).toEqual([event(1), event(2)]);
    expect(urls()).toEqual([
      "GET /api/2.0/cairn/audit/events?entity_type=registered_model&entity_id=churn&actor=ada&action=registry.*&start_time=10&end_time=20&max_results=1",
      "GET /api/2.0/cairn/audit/events?entity_type=registered_model&entity_id=churn&actor=ada&action=registry.*&start_time=10&end_time=20&max_results=1&page_token=2",
    ]);
  });

  it("asks for the newest first with order=desc (absent: the server's oldest first)", async () => {
    const client = await clientFor(() => ({ status: 200, body: { events: [event(2), event(1)] } }));
    expect((await client.audit.listEvents({ order: "desc", maxResults: 2 })).items).toEqual([event(2), event(1)]);
    expect(urls()).toEqual(["GET /api/2.0/cairn/audit/events?max_results=2&order=desc"]);
  });

  it("verifies (ok and broken) and reads alias history", async () => {
    let broken = false;
    const client = await clientFor((request) => {
      if (request.url.includes("alias-history")) return { status: 200, body: {} };
      return broken
        ? { status: 200, body: { ok: false, checked: 40, problems: [{ seq: 17, reason: "hash mismatch: the event was changed" }] } }
        : { status: 200, body: { ok: true, checked: 12 } };
    });
    expect(await client.audit.verify()).toEqual({ ok: true, checked: 12, problems: [] });
    broken = true;
    expect(await client.audit.verify()).toEqual({ ok: false, checked: 40, problems: [{ seq: 17, reason: "hash mismatch: the event was changed" }] });
    expect(await client.audit.aliasHistory("churn", "champion")).toEqual([]);
    await client.audit.aliasHistory("churn");
    expect(urls()).toEqual([
      "GET /api/2.0/cairn/audit/verify",
      "GET /api/2.0/cairn/audit/verify",
      "GET /api/2.0/cairn/registered-models/alias-history?name=churn&alias=champion",
      "GET /api/2.0/cairn/registered-models/alias-history?name=churn",
    ]);
  });
});
