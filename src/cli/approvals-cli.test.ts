import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../sdk/client.js";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { runCli, type CliResult } from "./test-support/run-cli.js";

/** `cairn models rules --forbid-self-approval` and `cairn models approvals list|revoke` as a user runs them. */
let server: TempServer;

const cairn = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(["--tracking-uri", server.url, ...args], { env });
const TIME = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}";

beforeAll(async () => {
  server = await startTempServer("cairn-cli-approvals-");
  // ada trains and registers: she is the run's user and the versions' creator.
  const ada = new CairnClient({ trackingUri: server.url, user: "ada" });
  const runId = (await ada.runs.create({ experimentId: "0", userId: "ada" })).info.run_id;
  await ada.registry.createModel({ name: "churn" });
  await ada.registry.createVersion({ name: "churn", source: `runs:/${runId}/model`, runId });
  await ada.registry.createVersion({ name: "churn", source: `runs:/${runId}/model`, runId });
});

afterAll(async () => {
  await server?.close();
});

describe("cairn models approvals (process)", () => {
  it("sets a rule that forbids self-approval, refuses the creator, lists approvals newest first and revokes one's own", async () => {
    const rule = await cairn(["--user", "lead", "models", "rules", "churn", "--set", "alias:champion", "--approvals", "1", "--forbid-self-approval"]);
    expect(rule).toEqual({
      code: 0,
      stdout: "Set the alias:champion rule of churn: tags -; metrics -; approvals 1; self-approval forbidden (the creator and the run's user cannot approve).\n",
      stderr: "",
    });
    const rules = await cairn(["models", "rules", "churn"]);
    expect(rules.stdout.split("\n")[1]?.replace(/ {2,}/g, " | ")).toMatch(new RegExp(`^alias:champion \\| - \\| - \\| 1, not self \\| lead \\(unverified\\) \\| ${TIME}$`));

    const self = await cairn(["--user", "Ada", "models", "approve", "churn", "1", "--target", "alias:champion"]);
    expect(self).toEqual({
      code: 1,
      stdout: "",
      stderr: "cairn: error: PERMISSION_DENIED: Ada cannot approve churn version 1 for alias:champion: the promotion rule forbids self-approval, and Ada created this version.\n",
    });
    for (const [user, version] of [["bob", "1"], ["carol", "1"], ["bob", "2"]] as const) {
      expect((await cairn(["--user", user, "models", "approve", "churn", version, "--target", "alias:champion", "--comment", `ok from ${user}`])).code).toBe(0);
    }

    const revoked = await cairn(["--user", "carol", "models", "approvals", "revoke", "churn", "1", "--target", "alias:champion"]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^carol revoked the approval of churn version 1 for alias:champion given by carol at ${TIME}; it no longer counts\\.\\n$`));
    // Nothing to revoke is a failure with the server's words, not a silent success.
    const again = await cairn(["--user", "carol", "models", "approvals", "revoke", "churn", "1", "--target", "alias:champion"]);
    expect(again).toEqual({
      code: 1,
      stdout: "",
      stderr: "cairn: error: RESOURCE_DOES_NOT_EXIST: carol has no standing approval of churn version 1 for alias:champion to revoke\n",
    });

    const standing = await cairn(["models", "approvals", "list", "churn", "--json"]);
    expect(standing.code, standing.stderr).toBe(0);
    expect((JSON.parse(standing.stdout) as { version: string; actor: { name: string } }[]).map((a) => `${a.version}:${a.actor.name}`)).toEqual(["2:bob", "1:bob"]);

    const all = await cairn(["models", "approvals", "list", "churn", "--include-revoked"]);
    const table = all.stdout.trimEnd().split("\n");
    expect(table[0]).toMatch(/^TIME \(UTC\) +VERSION +TARGET +APPROVED BY +STATE +COMMENT$/);
    expect(table.slice(1).map((line) => line.replace(new RegExp(TIME, "g"), "T").replace(/ {2,}/g, " | "))).toEqual([
      "T | 2 | alias:champion | bob (unverified) | standing | ok from bob",
      "T | 1 | alias:champion | carol (unverified) | revoked T by carol (unverified) | ok from carol",
      "T | 1 | alias:champion | bob (unverified) | standing | ok from bob",
    ]);

    const limited = await cairn(["models", "approvals", "list", "churn", "--version", "1", "--include-revoked", "--max-results", "1"]);
    const limitedLines = limited.stdout.trimEnd().split("\n");
    expect(limitedLines).toHaveLength(3);
    expect(limitedLines[1]).toContain("carol (unverified)");
    expect(limitedLines[2]).toBe("… more than 1 approvals; raise --max-results or filter by --version / --target");

    const none = await cairn(["models", "approvals", "list", "churn", "--target", "stage:Production"]);
    expect(none).toEqual({ code: 0, stdout: "No standing approvals of churn for stage:Production (--include-revoked shows revoked ones).\n", stderr: "" });
    const badTarget = await cairn(["models", "approvals", "list", "churn", "--target", "champion"]);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toBe(
      "cairn: error: --target must be alias:<alias>, stage:<Stage> or deployment:<name> (e.g. alias:champion, stage:Production, deployment:churn-prod), got 'champion'\n",
    );
  });
});
