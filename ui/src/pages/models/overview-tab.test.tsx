import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ModelVersion } from "../../../../src/protocol/mlflow/registry-entities.js";
import { renderWithApp } from "../../test-support/render";
import { OverviewTab } from "./overview-tab";

const version = (overrides: Partial<ModelVersion>): ModelVersion => ({
  name: "iris",
  version: "1",
  creation_timestamp: 1_760_000_000_000,
  last_updated_timestamp: 1_760_000_000_000,
  current_stage: "None",
  source: "models:/m-0123456789abcdef0123456789abcdef",
  status: "READY",
  tags: [],
  aliases: [],
  ...overrides,
});

describe("OverviewTab with MLflow 3 versions", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("names the logged model a version was registered from, and reads its MLmodel through the download URI", async () => {
    const requests: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      requests.push(String(url));
      return String(url).includes("get-download-uri")
        ? new Response(JSON.stringify({ artifact_uri: "mlflow-artifacts:/1/models/m-0123456789abcdef0123456789abcdef/artifacts" }), { status: 200 })
        : new Response("", { status: 404 });
    });
    renderWithApp(<OverviewTab version={version({ model_id: "m-0123456789abcdef0123456789abcdef", run_id: "r1" })} />);
    expect(screen.getByText("Logged model").nextElementSibling?.textContent).toBe("m-0123456789abcdef0123456789abcdef");
    expect(await screen.findByText("The version's files have no MLmodel file.")).toBeTruthy();
    expect(requests.some((url) => url.includes("/1/models/m-0123456789abcdef0123456789abcdef/artifacts/MLmodel"))).toBe(true);
  });

  it("a prompt version has no files: no signature section and no download-URI request", async () => {
    const requests: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      requests.push(String(url));
      return new Response("{}", { status: 400 });
    });
    renderWithApp(
      <OverviewTab
        version={version({
          source: "dummy-source",
          tags: [
            { key: "mlflow.prompt.is_prompt", value: "true" },
            { key: "mlflow.prompt.text", value: "Hello {{name}}" },
          ],
        })}
      />,
    );
    expect(screen.queryByText("Logged model")).toBeNull();
    expect(screen.queryByRole("heading", { name: "Signature" })).toBeNull();
    expect(screen.getByText("Hello {{name}}")).toBeTruthy();
    expect(requests).toEqual([]);
  });
});
