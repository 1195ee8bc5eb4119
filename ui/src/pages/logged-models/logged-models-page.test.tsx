import { act, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LoggedModel } from "../../api/entities";
import { renderWithApp } from "../../test-support/render";
import LoggedModelsPage from "./logged-models-page";
import { registrationsOf } from "./logged-model-values";

const model = (id: string, name: string, acc: number, extra: Partial<LoggedModel["info"]> = {}): LoggedModel => ({
  info: {
    model_id: id,
    experiment_id: "7",
    name,
    creation_timestamp_ms: 1_700_000_000_000,
    last_updated_timestamp_ms: 1_700_000_000_000,
    artifact_uri: `mlflow-artifacts:/7/models/${id}/artifacts`,
    status: "LOGGED_MODEL_READY",
    model_type: "onnx",
    tags: [{ key: "team", value: "<i>growth</i>" }, { key: "mlflow.user", value: "ada" }],
    registrations: [],
    ...extra,
  },
  data: {
    params: [{ key: "lr", value: "0.01" }],
    metrics: [
      { key: "acc", value: acc - 0.1, timestamp: 1, step: 0, dataset_name: "train" },
      { key: "acc", value: acc, timestamp: 2, step: 1, dataset_name: "eval" },
    ],
  },
});

const M1 = "m-00000000000000000000000000000001";
const M2 = "m-00000000000000000000000000000002";

describe("LoggedModelsPage", () => {
  let bodies: unknown[];
  beforeEach(() => {
    bodies = [];
    vi.stubGlobal("fetch", async (url: string, init?: RequestInit) => {
      if (url === "/ajax-api/2.0/mlflow/logged-models/search") {
        const body = JSON.parse(String(init?.body)) as { page_token?: string };
        bodies.push(body);
        return new Response(JSON.stringify(body.page_token ? { models: [model(M2, "second", 0.8, { status: "LOGGED_MODEL_PENDING" })] } : { models: [model(M1, "first", 0.9)], next_page_token: "tok-2" }));
      }
      if (url.startsWith("/ajax-api/2.0/mlflow/experiments/get")) return new Response(JSON.stringify({ experiment: { experiment_id: "7", name: "churn" } }));
      return new Response(JSON.stringify({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "no" }), { status: 404 });
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it("searches with the URL's filter and sort, shows metric and param columns, and pages with tokens in the URL", async () => {
    const { location } = renderWithApp(<LoggedModelsPage experimentId="7" />, "/experiments/7/models?filter=metrics.acc%20%3E%200.5&sort=metrics.acc&dir=asc&size=25");
    const table = await screen.findByRole("table");
    expect(bodies[0]).toEqual({ experiment_ids: ["7"], filter: "metrics.acc > 0.5", order_by: [{ field_name: "metrics.acc", ascending: true }], max_results: 25 });
    const rows = within(table).getAllByRole("row").map((row) => Array.from(row.children).map((cell) => cell.textContent));
    expect(rows[0]).toEqual(["Name", "Status", "Type", "Source run", "Created", "metrics.acc ▲", "params.lr", "Tags"]);
    expect(rows[1]).toEqual(["first", "ready", "onnx", "—", expect.stringMatching(/^2023-11-1\d /), "0.9", "0.01", "team=<i>growth</i>"]);
    expect(within(table).getByRole("link", { name: "first" }).getAttribute("href")).toBe(`/experiments/7/models/${M1}`);
    expect(screen.getByRole("status").textContent).toBe("Page 1: 1 logged model");

    act(() => screen.getByRole("button", { name: "Next" }).click());
    await screen.findByRole("link", { name: "second" });
    expect(location.history.at(-1)).toBe("/experiments/7/models?filter=metrics.acc+%3E+0.5&sort=metrics.acc&dir=asc&size=25&page=tok-2");
    expect(bodies[1]).toEqual({ experiment_ids: ["7"], filter: "metrics.acc > 0.5", order_by: [{ field_name: "metrics.acc", ascending: true }], max_results: 25, page_token: "tok-2" });
    expect((screen.getByRole("button", { name: "Next" }) as HTMLButtonElement).disabled).toBe(true);

    // A new sort starts again at page 1.
    act(() => screen.getByRole("button", { name: "Name" }).click());
    expect(location.history.at(-1)).toBe("/experiments/7/models?filter=metrics.acc+%3E+0.5&sort=name&size=25");
  });
});

describe("registrationsOf", () => {
  it("merges the info's registrations with the 3.x client's mlflow.modelVersions tag, without repeats", () => {
    const registered = model(M1, "m", 1, {
      registrations: [{ name: "churn", version: "1" }],
      tags: [{ key: "mlflow.modelVersions", value: '[{"name": "churn", "version": 1}, {"name": "churn", "version": "2"}, {"bad": true}]' }],
    });
    expect(registrationsOf(registered)).toEqual([
      { name: "churn", version: "1" },
      { name: "churn", version: "2" },
    ]);
    expect(registrationsOf(model(M1, "m", 1, { tags: [{ key: "mlflow.modelVersions", value: "not json" }] }))).toEqual([]);
  });
});
