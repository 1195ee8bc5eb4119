import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GOVERNANCE_NOW, type GovernanceTestApp, registerVersion, startGovernanceApp } from "./governance-test-app.js";

const as = (name: string): Record<string, string> => ({ "x-cairn-user": name });

describe("governance API: promotion rules and approvals", () => {
  let kit: GovernanceTestApp;
  let runId: string;

  beforeEach(async () => {
    kit = await startGovernanceApp();
    runId = await kit.createRun();
    const metrics = [
      { key: "accuracy", value: 0.95, timestamp: 1, step: 0 },
      { key: "accuracy", value: 0.85, timestamp: 2, step: 1 },
    ];
    expect((await kit.call("POST", "runs/log-batch", { run_id: runId, metrics }, {}, "mlflow")).status).toBe(200);
    await registerVersion(kit, "churn", runId, [{ key: "validation_status", value: "failed" }]);
  });
  afterEach(async () => {
    await kit.close();
  });

  const championRule = {
    name: "churn",
    target: "alias:champion",
    required_tags: [{ key: "validation_status", value: "passed" }],
    metric_thresholds: [
      { metric: "accuracy", comparator: ">=", value: 0.9 },
      { metric: "f1", comparator: ">", value: 0.5 },
    ],
    required_approvals: 2,
  };

  const check = async (target = "alias:champion", version = "1") =>
    (await kit.call("GET", "model-versions/promotion-check", { name: "churn", version, target })).body;

  it("sets, lists, replaces and deletes rules, each write audited", async () => {
    const set = await kit.call("POST", "registered-models/promotion-rules/set", championRule, as("ada"));
    expect(set).toMatchObject({ status: 200 });
    expect(set.body).toEqual({
      rule: {
        name: "churn",
        target: "alias:champion",
        required_tags: [{ key: "validation_status", value: "passed" }],
        metric_thresholds: [
          { metric: "accuracy", comparator: ">=", value: 0.9 },
          { metric: "f1", comparator: ">", value: 0.5 },
        ],
        required_approvals: 2,
        forbid_self_approval: false,
        updated_by: { name: "ada", verified: false },
        updated_time: GOVERNANCE_NOW,
      },
    });
    const stage = { name: "churn", target: "stage:production", required_approvals: 1 };
    expect((await kit.call("POST", "registered-models/promotion-rules/set", stage, as("bob"))).body.rule).toMatchObject({
      target: "stage:Production",
      required_tags: [],
      metric_thresholds: [],
      required_approvals: 1,
      updated_by: { name: "bob", verified: false },
    });
    const replaced = { ...championRule, metric_thresholds: [], required_approvals: 0 };
    await kit.call("POST", "registered-models/promotion-rules/set", replaced, as("bob"));

    const list = await kit.call("GET", "registered-models/promotion-rules/list", { name: "churn" });
    expect(list.body.rules.map((rule: { target: string; required_approvals: number }) => [rule.target, rule.required_approvals])).toEqual([
      ["alias:champion", 0],
      ["stage:Production", 1],
    ]);

    expect(await kit.call("DELETE", "registered-models/promotion-rules/delete", { name: "churn", target: "stage:Production" }, as("bob"))).toMatchObject({
      status: 200,
      body: {},
    });
    expect((await kit.call("GET", "registered-models/promotion-rules/list", { name: "churn" })).body.rules).toHaveLength(1);

    expect(kit.audited.map(({ context, entry }) => [context.actor.name, entry.action, entry.entityType, entry.entityId])).toEqual([
      ["ada", "governance.promotion_rule.set", "registered_model", "churn"],
      ["bob", "governance.promotion_rule.set", "registered_model", "churn"],
      ["bob", "governance.promotion_rule.set", "registered_model", "churn"],
      ["bob", "governance.promotion_rule.delete", "registered_model", "churn"],
    ]);
    expect(kit.audited[0]?.entry.before).toBeNull();
    expect(kit.audited[2]?.entry.before).toEqual({
      target: "alias:champion",
      required_tags: [{ key: "validation_status", value: "passed" }],
      metric_thresholds: championRule.metric_thresholds,
      required_approvals: 2,
      forbid_self_approval: false,
    });
    expect(kit.audited[3]?.entry).toMatchObject({ before: { target: "stage:Production", required_approvals: 1 }, after: null });
  });

  it("names every unmet rule, then allows once each is met; one actor approving twice counts once", async () => {
    expect(await check()).toEqual({ allowed: true, unmet: [] });
    await kit.call("POST", "registered-models/promotion-rules/set", championRule, as("ada"));
    const approval = await kit.call("POST", "model-versions/approve", { name: "churn", version: "1", target: "alias:champion", comment: "looks good" }, as("ada"));
    expect(approval).toMatchObject({ status: 200 });
    expect(approval.body).toEqual({
      approval: {
        name: "churn",
        version: "1",
        target: "alias:champion",
        actor: { name: "ada", verified: false },
        time: GOVERNANCE_NOW + 1000,
        comment: "looks good",
      },
    });
    expect(await check()).toEqual({
      allowed: false,
      unmet: [
        "required tag validation_status = passed is missing (found: failed)",
        "metrics.accuracy >= 0.9 not met (run value 0.85)",
        `metrics.f1 > 0.5 not met (run ${runId} has no metric f1)`,
        "2 approvals needed, 1 given (by ada)",
      ],
    });

    await kit.registry.setModelVersionTag("churn", "1", { key: "validation_status", value: "passed" }, GOVERNANCE_NOW);
    const metrics = [
      { key: "accuracy", value: 0.93, timestamp: 3, step: 2 },
      { key: "f1", value: 0.7, timestamp: 3, step: 2 },
    ];
    await kit.call("POST", "runs/log-batch", { run_id: runId, metrics }, {}, "mlflow");
    const again = await kit.call("POST", "model-versions/approve", { name: "churn", version: 1, target: "alias:champion" }, as("ada"));
    expect(again.body.approval).toMatchObject({ time: GOVERNANCE_NOW + 1000, comment: "looks good" });
    expect(await check()).toEqual({ allowed: false, unmet: ["2 approvals needed, 1 given (by ada)"] });

    // An approval for another target does not count for this one.
    await kit.call("POST", "model-versions/approve", { name: "churn", version: "1", target: "stage:Production" }, as("bob"));
    expect((await check()).allowed).toBe(false);
    await kit.call("POST", "model-versions/approve", { name: "churn", version: "1", target: "alias:champion" }, as("bob"));
    expect(await check()).toEqual({ allowed: true, unmet: [] });
    expect(await kit.promotion.check("churn", "1", { kind: "alias", alias: "champion" })).toEqual({ allowed: true, unmet: [] });

    const approvals = await kit.call("GET", "model-versions/approvals", { name: "churn", version: "1" });
    expect(approvals.body.approvals.map((a: { actor: { name: string }; target: string }) => [a.actor.name, a.target])).toEqual([
      ["ada", "alias:champion"],
      ["bob", "stage:Production"],
      ["bob", "alias:champion"],
    ]);
    expect(kit.audited.filter(({ entry }) => entry.action === "governance.approval.create").map(({ context, entry }) => [context.actor.name, entry.entityId, entry.after])).toEqual([
      ["ada", "churn/1", { target: "alias:champion", actor: "ada", comment: "looks good" }],
      ["bob", "churn/1", { target: "stage:Production", actor: "bob" }],
      ["bob", "churn/1", { target: "alias:champion", actor: "bob" }],
    ]);
  });

  it("approvals are per version; a version without a run fails metric rules and lacks tags", async () => {
    const bare = await registerVersion(kit, "churn");
    await kit.call("POST", "registered-models/promotion-rules/set", { ...championRule, required_approvals: 1 }, as("ada"));
    await kit.call("POST", "model-versions/approve", { name: "churn", version: "1", target: "alias:champion" }, as("ada"));
    expect(await check("alias:champion", bare)).toEqual({
      allowed: false,
      unmet: [
        "required tag validation_status = passed is missing",
        "metrics.accuracy >= 0.9 not met (the version has no source run)",
        "metrics.f1 > 0.5 not met (the version has no source run)",
        "1 approval needed, 0 given",
      ],
    });
  });

  it("stage targets are matched in canonical spelling", async () => {
    await kit.call("POST", "registered-models/promotion-rules/set", { name: "churn", target: "stage:PRODUCTION", required_approvals: 1 }, as("ada"));
    expect(await check("stage:Production")).toEqual({ allowed: false, unmet: ["1 approval needed, 0 given"] });
    expect(await kit.promotion.check("churn", "1", { kind: "stage", stage: "Production" })).toEqual({ allowed: false, unmet: ["1 approval needed, 0 given"] });
    expect(await check("stage:Staging")).toEqual({ allowed: true, unmet: [] });
  });

  it("refuses bad requests with MLflow-shaped errors", async () => {
    const error = async (method: "GET" | "POST" | "DELETE", path: string, payload: Record<string, unknown>, headers = as("ada")) => {
      const response = await kit.call(method, path, payload, headers);
      return [response.status, response.body.error_code, response.body.message];
    };
    const rules = "registered-models/promotion-rules/set";
    expect(await error("POST", rules, { target: "alias:champion" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
    ]);
    expect(await error("POST", rules, { name: "nope", target: "alias:champion" })).toEqual([
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Registered Model with name=nope not found",
    ]);
    expect(await error("POST", rules, { name: "churn", target: "champion" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid value 'champion' for parameter 'target' supplied: expected alias:<alias> (at most 255 characters), stage:<None|Staging|Production|Archived> or deployment:<deployment name>.",
    ]);
    expect(await error("POST", rules, { name: "churn", target: "stage:Live" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid value 'stage:Live' for parameter 'target' supplied: expected alias:<alias> (at most 255 characters), stage:<None|Staging|Production|Archived> or deployment:<deployment name>.",
    ]);
    expect(await error("POST", rules, { name: "churn", target: "alias:c", metric_thresholds: [{ metric: "a", comparator: "~", value: 1 }] })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid value '~' for parameter 'metric_thresholds[0].comparator' supplied: must be one of =, !=, >, >=, <, <=.",
    ]);
    expect(await error("POST", rules, { name: "churn", target: "alias:c", metric_thresholds: [{ metric: "a", value: 1 }] })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Missing value for required parameter 'metric_thresholds[0].comparator'. See the API docs for more information about request parameters.",
    ]);
    expect(await error("POST", rules, { name: "churn", target: "alias:c", metric_thresholds: [{ metric: "a", comparator: "<", value: "Infinity" }] })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "'metric_thresholds[0].value' must be a finite number.",
    ]);
    expect(await error("POST", rules, { name: "churn", target: "alias:c", required_tags: [{ key: "", value: "x" }] })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Missing value for required parameter 'required_tags[0].key'. See the API docs for more information about request parameters.",
    ]);
    expect(await error("POST", rules, { name: "churn", target: "alias:c", required_approvals: 101 })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "'required_approvals' must be an integer from 0 to 100.",
    ]);
    expect(await error("GET", "registered-models/promotion-rules/list", { name: "nope" })).toEqual([
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Registered Model with name=nope not found",
    ]);
    expect(await error("DELETE", "registered-models/promotion-rules/delete", { name: "churn", target: "alias:champion" })).toEqual([
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "No promotion rule for target alias:champion of registered model churn",
    ]);
    expect(await error("POST", "model-versions/approve", { name: "churn", version: "1", target: "alias:champion" }, {})).toEqual([
      403,
      "PERMISSION_DENIED",
      "Anonymous requests cannot approve a model version: declare who you are (the x-cairn-user header or basic auth).",
    ]);
    expect(await error("POST", "model-versions/approve", { name: "churn", version: "9", target: "alias:champion" })).toEqual([
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Model Version (name=churn, version=9) not found",
    ]);
    expect(await error("POST", "model-versions/approve", { name: "churn", target: "alias:champion" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Missing value for required parameter 'version'. See the API docs for more information about request parameters.",
    ]);
    expect(await error("POST", "model-versions/approve", { name: "churn", version: "1", target: "alias:" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid value 'alias:' for parameter 'target' supplied: expected alias:<alias> (at most 255 characters), stage:<None|Staging|Production|Archived> or deployment:<deployment name>.",
    ]);
    expect(await error("POST", "model-versions/approve", { name: "churn", version: "1", target: "alias:c", comment: "x".repeat(5001) })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "'comment' is longer than 5000 characters.",
    ]);
    expect(await error("GET", "model-versions/approvals", { name: "churn", version: "2" })).toEqual([
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Model Version (name=churn, version=2) not found",
    ]);
    expect(await error("GET", "model-versions/promotion-check", { name: "churn", version: "2", target: "alias:champion" })).toEqual([
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Model Version (name=churn, version=2) not found",
    ]);
    expect(await error("GET", "model-versions/promotion-check", { name: "churn", version: "1" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Missing value for required parameter 'target'. See the API docs for more information about request parameters.",
    ]);
    expect(kit.audited).toEqual([]);
  });

  it("basic auth's user name approves too", async () => {
    const basic = { authorization: `Basic ${Buffer.from("carol:secret").toString("base64")}` };
    const response = await kit.call("POST", "model-versions/approve", { name: "churn", version: "1", target: "alias:champion" }, basic);
    expect(response.body.approval.actor).toEqual({ name: "carol", verified: false });
  });
});
