import { act, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Run } from "../../../api/entities";
import { renderWithApp } from "../../../test-support/render";
import { ArtifactsTab } from "./artifacts-tab";

const RUN = { info: { run_id: "r1", artifact_uri: "mlflow-artifacts:/7/r1/artifacts" } } as Run;

describe("ArtifactsTab", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("lists folders as they open and previews a CSV file read with a capped Range request", async () => {
    const requests: { url: string; range: string | null }[] = [];
    vi.stubGlobal("fetch", async (url: string, init?: RequestInit) => {
      requests.push({ url, range: new Headers(init?.headers).get("range") });
      if (url === "/ajax-api/2.0/mlflow/artifacts/list?run_id=r1") {
        return new Response(JSON.stringify({ files: [{ path: "data.csv", is_dir: false, file_size: 30 }, { path: "model", is_dir: true }] }));
      }
      if (url === "/ajax-api/2.0/mlflow/artifacts/list?run_id=r1&path=model") {
        return new Response(JSON.stringify({ files: [{ path: "model/MLmodel", is_dir: false, file_size: 12 }] }));
      }
      if (url === "/ajax-api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/data.csv") {
        return new Response('x,y\n1,"a, b"\n', { status: 206, headers: { "content-range": "bytes 0-12/13" } });
      }
      return new Response("{}", { status: 404 });
    });
    const { location } = renderWithApp(<ArtifactsTab run={RUN} />, "/experiments/7/runs/r1?tab=artifacts");
    const tree = screen.getByRole("navigation", { name: "Artifact files" });
    // Folders first; the folder's own listing is not asked for until it opens.
    expect((await within(tree).findAllByRole("button")).map((button) => button.textContent)).toEqual(["▸ model/", "data.csv30 B"]);
    expect(requests.map((request) => request.url)).toEqual(["/ajax-api/2.0/mlflow/artifacts/list?run_id=r1"]);

    act(() => within(tree).getByRole("button", { name: "model/" }).click());
    await within(tree).findByRole("button", { name: /^MLmodel/ });
    expect(requests.at(-1)?.url).toBe("/ajax-api/2.0/mlflow/artifacts/list?run_id=r1&path=model");

    act(() => within(tree).getByRole("button", { name: /^data\.csv/ }).click());
    expect(location.history.at(-1)).toBe("/experiments/7/runs/r1?tab=artifacts&artifact=data.csv");
    const table = await screen.findByRole("table", { name: "data.csv" });
    expect(within(table).getAllByRole("row").map((row) => Array.from(row.children).map((cell) => cell.textContent))).toEqual([
      ["x", "y"],
      ["1", "a, b"],
    ]);
    expect(requests.at(-1)).toEqual({ url: "/ajax-api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/data.csv", range: "bytes=0-1048575" });
    expect(screen.getByRole("link", { name: "Download" }).getAttribute("href")).toBe("/ajax-api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/data.csv");
  });
});
