import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHuman } from "../output.js";
import { dataInferSuite } from "./data-infer-suite.js";
import { dataValidate } from "./data-validate.js";

const main = resolve(import.meta.dirname, "../main.ts");
const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  promisify(execFile)(process.execPath, ["--import", "tsx", main, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-data-validate-"));
  await writeFile(join(dir, "t.csv"), "x,city\n1,Oslo\n2,Oslo\n,Bergen\n40,Oslo\n");
  await writeFile(
    join(dir, "s.yaml"),
    "suite: s\nexpectations:\n  - expectation: expect_column_values_to_be_between\n    column: x\n    max_value: 10\n  - expectation: expect_column_to_exist\n    column: city\n",
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("cairn data validate / infer-suite", () => {
  it("prints a table with observed value, bound and example rows, exit code 1 on failure", async () => {
    const result = await dataValidate(join(dir, "t.csv"), { suite: join(dir, "s.yaml") });
    expect(result.exitCode).toBe(1);
    expect(renderHuman(result.human, { color: false }).split("\n")).toEqual([
      "STATUS  COLUMN  EXPECTATION                         OBSERVED                 BOUND       EXAMPLES",
      "FAIL    x       expect_column_values_to_be_between  1 unexpected (33.3333%)  (-inf, 10]  row 4: 40",
      "ok      city    expect_column_to_exist              true                     exists",
      "FAILED          1 of 2 expectations met",
    ]);
  });

  it("infer-suite writes YAML that the same file validates against (exit 0); bad suites exit 2", async () => {
    const out = join(dir, "inferred.yaml");
    await dataInferSuite(join(dir, "t.csv"), { output: out });
    expect(await readFile(out, "utf8")).toContain("expect_column_values_to_be_in_set");
    const ok = await cli(["data", "validate", join(dir, "t.csv"), "--suite", out, "--json"]);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { schema_version: number; success: boolean }).success).toBe(true);
    const failed = await cli(["data", "validate", join(dir, "t.csv"), "--suite", join(dir, "s.yaml")]);
    expect(failed.code).toBe(1);
    await writeFile(join(dir, "bad.yaml"), "suite: s\nexpectations:\n  - expectation: expect_nothing\n");
    const bad = await cli(["data", "validate", join(dir, "t.csv"), "--suite", join(dir, "bad.yaml")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("line 3: unknown expectation 'expect_nothing'");
  }, 60_000);
});

describe("drift expectations in a suite file", () => {
  it("resolve their reference file against the suite file's folder, not the working directory", async () => {
    const suites = join(dir, "suites");
    await (await import("node:fs/promises")).mkdir(suites, { recursive: true });
    await writeFile(join(suites, "ref.csv"), `x\n${Array.from({ length: 20 }, (_, i) => i).join("\n")}\n`);
    await writeFile(join(dir, "same.csv"), `x\n${Array.from({ length: 20 }, (_, i) => i).join("\n")}\n`);
    await writeFile(
      join(suites, "drift.yaml"),
      "suite: drift\nexpectations:\n  - expectation: expect_column_drift_to_be_below\n    column: x\n    reference: ref.csv\n",
    );
    const result = await dataValidate(join(dir, "same.csv"), { suite: join(suites, "drift.yaml") });
    expect(result.data.success).toBe(true);
    expect(result.data.results[0]?.success).toBe(true);
  });
});
