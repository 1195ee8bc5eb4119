import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { CAIRN, stubApi } from "../deployments/stub-api";
import WebhooksPage from "./webhooks-page";

const webhook = (id: string, name: string, active = true) => ({ id, name, url: `http://127.0.0.1:9/${name}`, format: "cairn", events: ["alias.set"], active, created_time: 1_700_000_000_000, last_updated_time: 1_700_000_000_000 });
const delivery = (id: string, webhookId: string, status: string, extra: Record<string, unknown> = {}) => ({
  id,
  webhook_id: webhookId,
  event_type: "alias.set",
  status,
  attempts: 2,
  created_time: 1_700_000_100_000,
  event_time: 1_700_000_100_000,
  actor: { name: "ada", verified: false },
  request_id: "r",
  payload: { name: "churn", alias: "champion", version: "3" },
  ...extra,
});

afterEach(() => vi.unstubAllGlobals());

describe("WebhooksPage", () => {
  it("lists webhooks and their deliveries, narrowed by the chosen webhook and status in the URL", async () => {
    const calls = stubApi({
      [`GET ${CAIRN}/webhooks/list`]: () => ({ body: { webhooks: [webhook("wh-1", "ci"), webhook("wh-2", "pager", false)] } }),
      [`GET ${CAIRN}/webhooks/deliveries`]: (url) => ({
        body: {
          deliveries: [
            delivery("d2", "wh-2", "failed", { last_status_code: 500, last_error: "receiver failed" }),
            delivery("d1", "wh-1", "delivered", { delivered_time: 1_700_000_101_000, last_status_code: 200 }),
          ].filter((one) => !url.searchParams.get("webhook_id") || one.webhook_id === url.searchParams.get("webhook_id")),
        },
      }),
    });
    const { location } = renderWithApp(<WebhooksPage />, "/webhooks");
    const hooks = await screen.findByRole("table", { name: "Webhooks" });
    expect(within(hooks).getAllByRole("row").slice(1).map((row) => [row.children[0]?.textContent, row.children[4]?.textContent])).toEqual([
      ["ci", "active"],
      ["pager", "paused"],
    ]);
    const deliveries = await screen.findByRole("table", { name: "Deliveries" });
    expect(within(deliveries).getAllByRole("row").slice(1).map((row) => [row.children[1]?.textContent, row.children[3]?.textContent, row.children[5]?.textContent])).toEqual([
      ["pager", "failed", "HTTP 500 · receiver failed"],
      ["ci", "delivered", "HTTP 200"],
    ]);

    fireEvent.click(within(hooks).getByRole("link", { name: "pager" }));
    expect(location.history.at(-1)).toBe("/webhooks?webhook=wh-2");
    expect(await screen.findByRole("heading", { name: "Deliveries of pager" })).toBeTruthy();
    await vi.waitFor(() => expect(within(screen.getByRole("table", { name: "Deliveries" })).getAllByRole("row")).toHaveLength(2));

    fireEvent.change(screen.getByRole("combobox", { name: "Status" }), { target: { value: "failed" } });
    expect(location.history.at(-1)).toBe("/webhooks?webhook=wh-2&status=failed");
    await vi.waitFor(() => expect(calls.at(-1)?.query.toString()).toBe("webhook_id=wh-2&status=failed&max_results=50"));
  });
});
