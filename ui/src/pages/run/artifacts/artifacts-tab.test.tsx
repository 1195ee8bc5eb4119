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

    // Opening a folder replaces the URL (no Back step); choosing a file pushes one.
    act(() => within(tree).getByRole("button", { name: /^data\.csv/ }).click());
    expect(location.history).toEqual(["/experiments/7/runs/r1?tab=artifacts&open=model", "/experiments/7/runs/r1?tab=artifacts&open=model&artifact=data.csv"]);
    const table = await screen.findByRole("table", { name: "data.csv" });
    expect(within(table).getAllByRole("row").map((row) => Array.from(row.children).map((cell) => cell.textContent))).toEqual([
      ["x", "y"],
      ["1", "a, b"],
    ]);
    expect(requests.at(-1)).toEqual({ url: "/ajax-api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/data.csv", range: "bytes=0-1048575" });
    expect(screen.getByRole("link", { name: "Download" }).getAttribute("href")).toBe("/ajax-api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/data.csv");
  });
});

const listing = (files: { path: string; is_dir: boolean; file_size?: number }[]): Response => new Response(JSON.stringify({ files }));

/** A run with artifacts in nested folders: a/, a/b/, a/b/c.txt, a/x.txt, z/, z/y.txt. */
const stubNestedArtifacts = (): string[] => {
  const urls: string[] = [];
  vi.stubGlobal("fetch", async (url: string) => {
    urls.push(url);
    const path = new URL(url, "http://ui").searchParams.get("path") ?? "";
    if (url.includes("/mlflow-artifacts/")) return new Response("hello\n", { status: 200 });
    if (path === "") return listing([{ path: "a", is_dir: true }, { path: "z", is_dir: true }]);
    if (path === "a") return listing([{ path: "a/b", is_dir: true }, { path: "a/x.txt", is_dir: false, file_size: 2 }]);
    if (path === "a/b") return listing([{ path: "a/b/c.txt", is_dir: false, file_size: 6 }]);
    if (path === "z") return listing([{ path: "z/y.txt", is_dir: false, file_size: 3 }]);
    return new Response("{}", { status: 404 });
  });
  return urls;
};

const treeButtons = async (): Promise<string[]> => {
  const tree = screen.getByRole("navigation", { name: "Artifact files" });
  return (await within(tree).findAllByRole("button")).map((button) => `${button.getAttribute("aria-expanded") ?? "file"} ${button.textContent ?? ""}`);
};

describe("ArtifactsTab's open folders in the URL", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("restores the open folders and the chosen file from a link", async () => {
    const urls = stubNestedArtifacts();
    renderWithApp(<ArtifactsTab run={RUN} />, "/experiments/7/runs/r1?tab=artifacts&open=a&open=a%2Fb&artifact=a%2Fb%2Fc.txt");
    const tree = screen.getByRole("navigation", { name: "Artifact files" });
    await within(tree).findByRole("button", { name: /^c\.txt/ });
    expect(await treeButtons()).toEqual(["true ▾ a/", "true ▾ b/", "file c.txt6 B", "file x.txt2 B", "false ▸ z/"]);
    expect(within(tree).getByRole("button", { name: /^c\.txt/ }).getAttribute("aria-current")).toBe("true");
    expect((await screen.findByLabelText("a/b/c.txt contents")).textContent).toBe("hello\n");
    // z stays closed: its listing is never asked for.
    expect(urls.filter((url) => url.includes("artifacts/list")).sort()).toEqual([
      "/ajax-api/2.0/mlflow/artifacts/list?run_id=r1",
      "/ajax-api/2.0/mlflow/artifacts/list?run_id=r1&path=a",
      "/ajax-api/2.0/mlflow/artifacts/list?run_id=r1&path=a%2Fb",
    ]);
  });

  it("writes each folder opened or closed into the URL, closing the folders inside a closed one", async () => {
    stubNestedArtifacts();
    const { location } = renderWithApp(<ArtifactsTab run={RUN} />, "/experiments/7/runs/r1?tab=artifacts");
    const tree = screen.getByRole("navigation", { name: "Artifact files" });
    const z = await within(tree).findByRole("button", { name: "z/" });
    act(() => z.click());
    expect(location.history.at(-1)).toBe("/experiments/7/runs/r1?tab=artifacts&open=z");
    act(() => within(tree).getByRole("button", { name: "a/" }).click());
    expect(location.history.at(-1)).toBe("/experiments/7/runs/r1?tab=artifacts&open=a&open=z");
    const b = await within(tree).findByRole("button", { name: "b/" });
    act(() => b.click());
    expect(location.history.at(-1)).toBe("/experiments/7/runs/r1?tab=artifacts&open=a&open=a%2Fb&open=z");
    await within(tree).findByRole("button", { name: /^c\.txt/ });

    act(() => within(tree).getByRole("button", { name: "a/" }).click());
    expect(location.history.at(-1)).toBe("/experiments/7/runs/r1?tab=artifacts&open=z");
    expect(await treeButtons()).toEqual(["false ▸ a/", "true ▾ z/", "file y.txt3 B"]);
    // Every change replaced the entry: the Back button leaves the tab instead of replaying folder clicks.
    expect(location.history).toHaveLength(1);
  });

  it("opens the folders of a linked file that the link does not name, once", async () => {
    stubNestedArtifacts();
    const { location } = renderWithApp(<ArtifactsTab run={RUN} />, "/experiments/7/runs/r1?tab=artifacts&artifact=a%2Fb%2Fc.txt");
    const tree = screen.getByRole("navigation", { name: "Artifact files" });
    await within(tree).findByRole("button", { name: /^c\.txt/ });
    expect(location.history).toEqual(["/experiments/7/runs/r1?tab=artifacts&artifact=a%2Fb%2Fc.txt&open=a&open=a%2Fb"]);
    // Closing the file's folder afterwards sticks.
    act(() => within(tree).getByRole("button", { name: "a/" }).click());
    expect(location.history).toEqual(["/experiments/7/runs/r1?tab=artifacts&artifact=a%2Fb%2Fc.txt"]);
    expect(await treeButtons()).toEqual(["false ▸ a/", "false ▸ z/"]);
  });
});
