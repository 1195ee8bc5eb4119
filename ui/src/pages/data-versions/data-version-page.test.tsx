import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { CAIRN, stubApi } from "../deployments/stub-api";
import DataVersionPage from "./data-version-page";

const HASH = `${"2".repeat(64)}.dir`;
const run = (id: string, name: string, stage?: string) => ({
  run_id: id.repeat(32),
  run_name: name,
  experiment_id: "1",
  experiment_name: "churn-pipeline",
  status: "FINISHED",
  start_time: 1_700_000_000_000,
  name: "data/prepared",
  ...(stage === undefined ? {} : { stage }),
});
const version = (extra: Record<string, unknown> = {}) => ({
  hash: HASH,
  short_hash: HASH.slice(0, 12),
  is_dir: true,
  size: 2048,
  nfiles: 2,
  names: ["data/prepared"],
  files_state: "ok",
  files: [
    { relpath: "test.csv", sha256: "4".repeat(64), size: 1024 },
    { relpath: "train.csv", sha256: "5".repeat(64), size: 1024 },
  ],
  produced_by: [run("b", "prepare", "prepare")],
  used_by: [run("c", "train", "train")],
  model_versions: [{ name: "churn", version: "1", run_id: "c".repeat(32) }],
  ...extra,
});

afterEach(() => vi.unstubAllGlobals());

describe("DataVersionPage", () => {
  it("shows the version's size and files (paged), the runs that produced and used it, and the model versions", async () => {
    const calls = stubApi({
      [`GET ${CAIRN}/data/versions/get`]: (url) =>
        ({ body: { data_version: url.searchParams.get("page_token") ? version({ files: [] }) : version({ next_page_token: "t1" }) } }),
    });
    const { location } = renderWithApp(<DataVersionPage hash={HASH} />, `/data-versions/${HASH}`);
    expect(await screen.findByRole("heading", { name: `Data version data/prepared ${HASH.slice(0, 12)}` })).toBeTruthy();
    expect(calls[0]?.query.toString()).toBe(`hash=${encodeURIComponent(HASH)}&max_files=50`);
    const facts = screen.getByRole("heading", { name: "Summary" }).parentElement!;
    expect([...facts.querySelectorAll("dt")].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent])).toEqual([
      ["Hash", HASH],
      ["Kind", "Directory"],
      ["Size", "2.0 KiB"],
      ["Files", "2"],
      ["Recorded as", "data/prepared"],
    ]);
    const files = screen.getByRole("table", { name: "Files" });
    expect(within(files).getAllByRole("row").slice(1).map((row) => [...row.children].map((cell) => cell.textContent))).toEqual([
      ["test.csv", "1.0 KiB", "444444444444"],
      ["train.csv", "1.0 KiB", "555555555555"],
    ]);
    const produced = screen.getByRole("table", { name: "Produced by" });
    expect(within(produced).getByRole("link", { name: "prepare" }).getAttribute("href")).toBe(`/experiments/1/runs/${"b".repeat(32)}`);
    expect(within(screen.getByRole("table", { name: "Used by" })).getAllByRole("row")[1]?.children[1]?.textContent).toBe("train");
    const models = screen.getByRole("list", { name: "Model versions whose lineage contains this data version" });
    expect(within(models).getByRole("link", { name: "churn v1" }).getAttribute("href")).toBe("/models/churn/versions/1");

    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(location.history.at(-1)).toBe(`/data-versions/${HASH}?page=t1`);
  });

  it("reads further runs on demand from data/versions/runs, after the first page in the version's answer", async () => {
    const calls = stubApi({
      [`GET ${CAIRN}/data/versions/get`]: () => ({ body: { data_version: version({ used_by_next_page_token: "t-used" }) } }),
      [`GET ${CAIRN}/data/versions/runs`]: () => ({ body: { runs: [run("e", "older-train", "train")] } }),
    });
    renderWithApp(<DataVersionPage hash={HASH} />, `/data-versions/${HASH}`);
    const more = await screen.findByRole("button", { name: "More runs: used by" });
    expect(screen.queryByRole("button", { name: "More runs: produced by" })).toBeNull();
    fireEvent.click(more);
    await screen.findByRole("link", { name: "older-train" });
    expect(within(screen.getByRole("table", { name: "Used by" })).getAllByRole("row").slice(1).map((row) => row.children[0]?.textContent)).toEqual(["train", "older-train"]);
    expect(calls.at(-1)?.query.toString()).toBe(`hash=${encodeURIComponent(HASH)}&relation=used&max_results=100&page_token=t-used`);
    expect(screen.queryByRole("button", { name: "More runs: used by" })).toBeNull();
  });

  it("explains a directory whose manifest the server does not hold, and refuses an address that is no hash", async () => {
    stubApi({ [`GET ${CAIRN}/data/versions/get`]: () => ({ body: { data_version: version({ files_state: "absent", files: [], size: undefined, nfiles: undefined }) } }) });
    const first = renderWithApp(<DataVersionPage hash={HASH} />, `/data-versions/${HASH}`);
    expect(await screen.findByText(/The server does not hold this directory's manifest/)).toBeTruthy();
    expect(screen.queryByRole("table", { name: "Files" })).toBeNull();
    first.unmount();
    const calls = stubApi({});
    renderWithApp(<DataVersionPage hash="not-a-hash" />, "/data-versions/not-a-hash");
    expect(screen.getByRole("alert").textContent).toMatch(/does not name a data version/);
    expect(calls).toEqual([]);
  });
});
