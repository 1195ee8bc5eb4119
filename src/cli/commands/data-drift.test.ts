import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DriftResult } from "../../monitoring/drift/index.js";
import { runCli, type CliResult } from "../test-support/run-cli.js";

let dir: string;
const at = (name: string): string => path.join(dir, name);

const cli = (args: string[]): Promise<CliResult> => runCli(args);

const csv = (rows: number, shift: number): string =>
  ["x,city,<script>", ...Array.from({ length: rows }, (_v, i) => `${(i % 50) + shift},${i % 4 === 0 ? "Oslo" : "Rome"},${i % 7}`)].join("\n");

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-data-drift-"));
  await writeFile(path.join(dir, "ref.csv"), csv(400, 0));
  await writeFile(path.join(dir, "same.csv"), csv(300, 0));
  await writeFile(path.join(dir, "shifted.csv"), csv(300, 20));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("cairn data drift", () => {
  it("exits 0 without dataset drift and prints the table", async () => {
    const result = await cli(["data", "drift", at("ref.csv"), at("same.csv")]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^column\s+type\s+test\s+statistic\s+p_value\s+threshold\s+result$/m);
    expect(result.stdout).toMatch(/^x\s+num\s+ks\s+0\s+1\s+0\.05\s+ok$/m);
    expect(result.stdout).toContain("dataset drift: no (0 of 3 columns drifted, share 0, threshold 0.5)");
  });

  it("exits 1 on dataset drift, prints the versioned JSON and writes the HTML report", async () => {
    const result = await cli(["data", "drift", at("ref.csv"), at("shifted.csv"), "--json", "--report", at("out.html"), "--column-method", "city=psi:0.2", "--drift-share", "0.3"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as DriftResult;
    expect(json.schema_version).toBe(1);
    expect(json.dataset_drift).toBe(true);
    expect([json.number_of_drifted_columns, json.number_of_columns, json.drift_share]).toEqual([1, 3, 0.3]);
    expect(json.columns.x?.method).toBe("ks");
    expect(json.columns.x?.drifted).toBe(true);
    expect(json.columns.city).toMatchObject({ method: "psi", threshold: 0.2, p_value: null, drifted: false });
    expect(json.columns.x?.distribution).toBeUndefined();
    const html = await readFile(path.join(dir, "out.html"), "utf8");
    expect(html).toContain("&#60;script&#62;");
    expect(html).not.toMatch(/<script/i);
  });

  it("rejects a bad --column-method with exit 2, naming it", async () => {
    const result = await cli(["data", "drift", at("ref.csv"), at("same.csv"), "--column-method", "x=magic"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown drift method 'magic'");
  });

  it("refuses a profile JSON given as data (it would be read as a one-row table), naming it and what to use; JSON data still works", async () => {
    const profiled = await cli(["data", "profile", at("ref.csv"), "--json"]);
    expect(profiled.code).toBe(0);
    await writeFile(at("ref.profile.json"), profiled.stdout);
    const result = await cli(["data", "drift", at("ref.profile.json"), at("same.csv")]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`The reference '${at("ref.profile.json")}' is a data profile (cairn data profile --json), not data`);
    const asCurrent = await cli(["data", "drift", at("ref.csv"), at("ref.profile.json")]);
    expect(asCurrent.stderr).toContain(`The current data '${at("ref.profile.json")}' is a data profile`);

    await writeFile(at("ref.json"), JSON.stringify([{ x: 1, city: "Oslo" }, { x: 2, city: "Rome" }, { x: 3, city: "Rome" }]));
    const json = await cli(["data", "drift", at("ref.json"), at("ref.json")]);
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
  });
});
